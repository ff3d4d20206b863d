-- marathon: Neovim front end of lsp-proxy (the blueprint DAG, contract diagnostics and the
-- prove/repair/review agents). This module owns setup: wrapping the Lean client's command
-- in the proxy for lean.nvim, nvim-lspconfig and vim.lsp.config (nvim 0.11+), and starting
-- a client directly. The editor commands live in marathon.commands, the DAG views in
-- marathon.dag, the LSP plumbing in marathon.lsp. Oldest Neovim supported: 0.7.2.
local compat = require('marathon.compat')
local config = require('marathon.config')

local M = {}

local function basename(path)
  return (tostring(path):gsub('.*/', ''))
end

-- Is argv already the proxy's command line?
local function is_wrapped(argv)
  if type(argv) ~= 'table' or argv[1] == nil then
    return false
  end
  local first = basename(argv[1])
  return first == basename(config.options.proxy) or first == 'lsp-proxy'
end

-- The proxy command line around argv: {proxy, proxy_args..., '--', argv...}.
local function wrap_list(argv)
  if is_wrapped(argv) then
    return argv
  end
  local out = { config.options.proxy }
  vim.list_extend(out, config.proxy_args())
  table.insert(out, '--')
  vim.list_extend(out, argv)
  return out
end

-- Wrap a server command in the proxy. cmd is a list ({'lake', 'serve', '--', root}) or,
-- as lean.nvim and nvim 0.11 configs have it, a function(dispatchers, config) that calls
-- vim.lsp.rpc.start(argv, ...): the function is kept (so its choice of lake serve or
-- lean --server, cwd and env stay) and the argv it starts is wrapped. nil: the default
-- `lake serve --` (lspconfig appends the root). A cmd already wrapped is returned as is.
function M.wrap_cmd(cmd)
  if cmd == nil then
    cmd = { 'lake', 'serve', '--' }
  end
  if type(cmd) == 'table' then
    return wrap_list(cmd)
  end
  if type(cmd) ~= 'function' then
    error('marathon.wrap_cmd: cmd must be a list of strings or a function', 2)
  end
  return function(...)
    local rpc = vim.lsp.rpc
    local start = rpc.start
    rpc.start = function(argv, ...)
      rpc.start = start
      if type(argv) == 'table' then
        argv = wrap_list(argv)
      end
      return start(argv, ...)
    end
    local ok, res = pcall(cmd, ...)
    rpc.start = start
    if not ok then
      error(res, 0)
    end
    return res
  end
end

local function is_lean_name(name)
  return name ~= nil and vim.tbl_contains(config.options.client_names, name)
end

-- Put the plugin's settings into a client config (init_options.marathon, settings.marathon).
local function add_settings(cfg)
  local s = config.options.settings
  if s == nil then
    return cfg
  end
  cfg.init_options = vim.tbl_deep_extend('force', cfg.init_options or {}, { marathon = s })
  cfg.settings = vim.tbl_deep_extend('force', cfg.settings or {}, { marathon = s })
  return cfg
end

-- nvim-lspconfig (and lean.nvim versions that set up lspconfig's leanls): lspconfig calls
-- util.on_setup(config) for every server it sets up; wrap the Lean one's cmd there.
local function hook_lspconfig()
  local ok, util = pcall(require, 'lspconfig.util')
  if not ok or type(util) ~= 'table' or util._marathon_hooked then
    return false
  end
  local previous = util.on_setup
  util.on_setup = function(cfg, user_config)
    if type(cfg) == 'table' and is_lean_name(cfg.name) then
      cfg.cmd = M.wrap_cmd(cfg.cmd)
      add_settings(cfg)
    end
    if previous then
      return previous(cfg, user_config)
    end
  end
  util._marathon_hooked = true
  return true
end

-- The server command lean.nvim and lspconfig's lsp/leanls.lua run (lean-lsp-facts §1.3),
-- as a function cmd (nvim 0.11+) through the proxy: cwd = root, `lake serve -- ROOT` when
-- the root has a lakefile, else `lean --server ROOT`. Used when no leanls config exists.
function M.default_cmd(dispatchers, cfg)
  local root = cfg.root_dir
  local cwd = cfg.cmd_cwd or root
  local uv = vim.uv or vim.loop
  local argv
  if root and (uv.fs_stat(root .. '/lakefile.lean') or uv.fs_stat(root .. '/lakefile.toml')) then
    argv = { 'lake', 'serve', '--', root }
  else
    argv = { 'lean', '--server', root }
  end
  return vim.lsp.rpc.start(wrap_list(argv), dispatchers, { cwd = cwd, env = cfg.cmd_env, detached = cfg.detached })
end

-- nvim 0.11+: vim.lsp.config('leanls', {cmd = ...}) on top of the configuration in force
-- (lean.nvim's lsp/leanls.lua or lspconfig's, when on the runtimepath).
local function hook_lsp_config()
  if not (vim.lsp.config and type(vim.lsp.config) == 'table') then
    return false
  end
  local ok, current = pcall(function()
    return vim.lsp.config.leanls
  end)
  local cmd = ok and type(current) == 'table' and current.cmd or nil
  vim.lsp.config('leanls', add_settings({ cmd = cmd and M.wrap_cmd(cmd) or M.default_cmd }))
  return true
end

-- require('marathon').setup{proxy = 'lsp-proxy', proxy_args = {...}, settings = {...}}:
-- from now on the Lean client starts through the proxy. Call it before the Lean client
-- starts (before opening a .lean file). Returns the hooks installed.
function M.setup(opts)
  config.set(opts)
  require('marathon.progress').install()
  local hooks = {}
  if hook_lspconfig() then
    table.insert(hooks, 'lspconfig')
  end
  if hook_lsp_config() then
    table.insert(hooks, 'vim.lsp.config')
  end
  M._hooks = hooks
  return hooks
end

-- Start (or reuse) a Lean client through the proxy and attach it to a buffer, without
-- lean.nvim or lspconfig; also what the tests use. opts: cmd (the server command, default
-- {'lake', 'serve', '--', root_dir}), wrap (default true: run cmd through the proxy),
-- root_dir (default: the buffer's nearest lakefile/lean-toolchain directory, else its
-- directory), bufnr (default current), name (default 'leanls'), settings (default the
-- setup's), cmd_env, handlers, on_attach (as in vim.lsp.start_client). Returns the
-- client id, or nil and a message.
function M.start(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  if bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local file = vim.api.nvim_buf_get_name(bufnr)
  local root = opts.root_dir
  if not root then
    local marker = vim.fn.findfile('lean-toolchain', vim.fn.fnamemodify(file, ':p:h') .. ';')
    if marker == '' then
      marker = vim.fn.findfile('lakefile.lean', vim.fn.fnamemodify(file, ':p:h') .. ';')
    end
    root = marker ~= '' and vim.fn.fnamemodify(marker, ':p:h') or vim.fn.fnamemodify(file, ':p:h')
  end
  root = vim.fn.fnamemodify(root, ':p'):gsub('/$', '')
  local cmd = opts.cmd or { 'lake', 'serve', '--', root }
  if opts.wrap ~= false then
    cmd = M.wrap_cmd(cmd)
  end
  local saved = config.options.settings
  if opts.settings ~= nil then
    config.options.settings = opts.settings
  end
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  capabilities.lean = { silentDiagnosticSupport = true, rpcWireFormat = 'v1' }
  local cfg = add_settings({
    name = opts.name or 'leanls',
    cmd = cmd,
    cmd_cwd = root,
    cmd_env = opts.cmd_env,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    capabilities = capabilities,
    handlers = opts.handlers,
    on_attach = opts.on_attach,
    init_options = { hasWidgets = true, editDelay = 10 },
    get_language_id = function()
      return 'lean4'
    end,
    on_init = function(client)
      -- Lean builds imports on didOpen unless told not to (as lean.nvim does).
      local notify = client.notify
      client.notify = function(...)
        local args = { ... }
        local i = type(args[1]) == 'table' and 2 or 1
        if args[i] == 'textDocument/didOpen' and type(args[i + 1]) == 'table' then
          args[i + 1].dependencyBuildMode = args[i + 1].dependencyBuildMode or 'never'
        end
        return notify((table.unpack or unpack)(args, 1, select('#', ...)))
      end
    end,
  })
  config.options.settings = saved
  -- one client per name and root (vim.lsp.start does the same on 0.8+; 0.7 has no such
  -- function)
  for _, client in ipairs(compat.get_clients()) do
    if client.name == cfg.name and client.config.root_dir == root and not compat.is_stopped(client) then
      if not vim.lsp.buf_is_attached(bufnr, client.id) then
        vim.lsp.buf_attach_client(bufnr, client.id)
      end
      return client.id
    end
  end
  local id
  if vim.lsp.start then
    id = vim.lsp.start(cfg, { bufnr = bufnr })
  else
    id = vim.lsp.start_client(cfg)
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if not id then
    return nil, 'marathon: could not start ' .. tostring(type(cmd) == 'table' and cmd[1] or 'the server')
  end
  return id
end

-- The agents' running jobs for a statusline: "marathon: Proving `x` 40% (+1)", or ''.
function M.statusline()
  return require('marathon.progress').statusline()
end

-- The commands, for mappings: require('marathon').prove() etc.
setmetatable(M, {
  __index = function(_, key)
    local commands = require('marathon.commands')
    return commands[key]
  end,
})

return M
