-- marathon.lsp: finding the Lean client of a buffer and sending lsp-proxy's commands
-- (workspace/executeCommand, shared/INTERFACE.md) through it. Edits, code actions and
-- $/progress are left to Neovim's own LSP handlers.
local compat = require('marathon.compat')
local config = require('marathon.config')

local M = {}

local function commands_of(client)
  local caps = client.server_capabilities or {}
  local provider = caps.executeCommandProvider
  return type(provider) == 'table' and type(provider.commands) == 'table' and provider.commands or {}
end

-- Does the server behind client advertise the proxy's commands?
function M.has_marathon(client)
  for _, c in ipairs(commands_of(client)) do
    if c == 'marathon.dag' then
      return true
    end
  end
  return false
end

function M.is_lean(client)
  return M.has_marathon(client) or vim.tbl_contains(config.options.client_names, client.name)
end

-- Does the client's command line run through lsp-proxy?
function M.cmd_has_proxy(client)
  local cmd = compat.client_cmd(client)
  if not cmd then
    return false
  end
  local proxy = tostring(config.options.proxy):gsub('.*/', '')
  for _, a in ipairs(cmd) do
    local b = tostring(a):gsub('.*/', '')
    if b == 'lsp-proxy' or b == proxy then
      return true
    end
  end
  return false
end

-- The Lean client of bufnr: a client advertising marathon.dag first, else one named
-- leanls/lean. Returns client, or nil and a message for the person.
function M.client_for(bufnr, any_buffer)
  local lean
  for _, client in ipairs(compat.get_clients(bufnr)) do
    if M.has_marathon(client) then
      return client
    end
    if M.is_lean(client) then
      lean = lean or client
    end
  end
  if any_buffer then
    for _, client in ipairs(compat.get_clients()) do
      if M.has_marathon(client) then
        return client
      end
    end
  end
  if lean then
    return nil,
      ('marathon: the Lean client "%s" does not run through lsp-proxy (no marathon.* commands); '
        .. "call require('marathon').setup{} before the Lean server starts, or see :help marathon"):format(
        lean.name
      )
  end
  return nil,
    'marathon: no Lean client is attached to this buffer (open a .lean file with lean.nvim or '
      .. "lspconfig's leanls after require('marathon').setup{}; see :help marathon)"
end

function M.notify(msg, level)
  vim.notify(msg, level or vim.log.levels.INFO)
end

function M.error(msg)
  vim.notify(msg, vim.log.levels.ERROR)
end

-- workspace/executeCommand command with {args} through client; cb(result) on success, an
-- error message to the person otherwise (and cb is not called).
function M.execute(client, bufnr, command, args, cb)
  local params = { command = command, arguments = { args or vim.empty_dict() } }
  local ok, sent = pcall(compat.request, client, 'workspace/executeCommand', params, function(err, result)
    if err then
      local msg = tostring(err.message or vim.inspect(err))
      if msg:sub(1, #command + 1) ~= command .. ':' then
        msg = command .. ': ' .. msg
      end
      M.error('marathon: ' .. msg)
      return
    end
    cb(result)
  end, bufnr)
  if not ok or sent == false then
    M.error(('marathon: %s: the Lean client is not running'):format(command))
  end
end

-- The same, waiting up to timeout_ms: returns result, or nil and a message.
function M.execute_sync(client, bufnr, command, args, timeout_ms)
  local params = { command = command, arguments = { args or vim.empty_dict() } }
  local res, err = compat.request_sync(client, 'workspace/executeCommand', params, timeout_ms or 5000, bufnr)
  if not res then
    return nil, tostring(err or 'no answer')
  end
  if res.err then
    return nil, res.err.message or vim.inspect(res.err)
  end
  return res.result
end

function M.uri(bufnr)
  return vim.uri_from_bufnr(bufnr)
end

return M
