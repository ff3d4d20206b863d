-- :checkhealth marathon: the proxy binary and its version, whether the Lean clients run
-- through it, and the LLM settings the proxy reports (marathon.status; never a key).
local compat = require('marathon.compat')
local config = require('marathon.config')
local lsp = require('marathon.lsp')

local M = {}

local function version_check(h)
  local v = vim.version and vim.version() or nil
  local text = v and ('%d.%d.%d'):format(v.major, v.minor, v.patch) or '?'
  if compat.has('nvim-0.7.2') or compat.has('nvim-0.8') then
    h.ok('Neovim ' .. text .. ' (0.7.2 or newer)')
  else
    h.error('Neovim ' .. text .. ': the plugin needs 0.7.2 or newer')
  end
end

local function proxy_check(h)
  local proxy = config.options.proxy
  local path = vim.fn.exepath(proxy)
  if path == '' then
    h.error(('proxy binary `%s` not found'):format(proxy), {
      'build it (make) and put build/release/lsp-proxy on PATH, or make install PREFIX=~/.local',
      "or give its path: require('marathon').setup{ proxy = '/path/to/lsp-proxy' }",
    })
    return
  end
  h.ok(('proxy binary: %s'):format(path))
  local out = vim.fn.system({ path, '--version' })
  if vim.v.shell_error ~= 0 then
    h.error(('`%s --version` failed (exit %d): %s'):format(path, vim.v.shell_error, vim.trim(out)))
  else
    h.ok('proxy version: ' .. vim.trim(out))
  end
  h.info('proxy command line: ' .. table.concat(require('marathon').wrap_cmd({ 'lake', 'serve', '--', '<root>' }), ' '))
end

local llm_fields = { 'provider', 'model', 'baseUrl', 'requests', 'tokensIn', 'tokensOut', 'failures' }

local function client_check(h)
  local any = false
  for _, client in ipairs(compat.get_clients()) do
    if lsp.is_lean(client) then
      any = true
      local through = lsp.cmd_has_proxy(client)
      local advertises = lsp.has_marathon(client)
      local label = ('Lean client "%s" (id %d)'):format(client.name, client.id)
      if advertises then
        h.ok(label .. ' runs through lsp-proxy (the server advertises marathon.* commands)'
          .. (through and '; its cmd runs lsp-proxy' or ''))
        local st, err = lsp.execute_sync(client, nil, 'marathon.status', vim.empty_dict(), 3000)
        if st then
          local llm = type(st.llm) == 'table' and st.llm or {}
          local parts = {}
          for _, k in ipairs(llm_fields) do
            if llm[k] ~= nil and llm[k] ~= vim.NIL then
              table.insert(parts, k .. ' ' .. tostring(llm[k]))
            end
          end
          if llm.provider == nil or llm.provider == 'none' then
            h.info('LLM: none configured (the tactic portfolio still runs); set llm.* settings and the key variable')
          else
            h.ok('LLM settings seen by the proxy: ' .. table.concat(parts, ', '))
          end
          h.info('Lean: ' .. tostring(st.lean))
        else
          h.warn('marathon.status failed: ' .. tostring(err))
        end
      elseif through then
        h.warn(label .. ' runs lsp-proxy but the server advertises no marathon.* commands yet (still starting?)')
      else
        h.warn(label .. ' does not run through lsp-proxy', {
          "call require('marathon').setup{} before the Lean server starts (before opening a .lean file)",
        })
      end
    end
  end
  if not any then
    h.info('no Lean client is running (open a .lean file to check the connection)')
  end
end

function M.check()
  local h = compat.health()
  h.start('marathon (lsp-proxy)')
  version_check(h)
  proxy_check(h)
  if #(require('marathon')._hooks or {}) > 0 then
    h.ok('setup hooks: ' .. table.concat(require('marathon')._hooks, ', '))
  else
    h.info("setup{} installed no hooks (no lspconfig, nvim < 0.11); use require('marathon').start{} or wrap_cmd")
  end
  h.start('marathon: Lean clients')
  client_check(h)
end

return M
