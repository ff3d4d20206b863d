-- marathon.config: the plugin's options (require('marathon').setup{...}) and their defaults.
-- It owns no state beyond the current options table.
local compat = require('marathon.compat')

local M = {}

local defaults = {
  -- the lsp-proxy binary (a name on PATH or a path)
  proxy = 'lsp-proxy',
  -- options given to the proxy before `--`; nil: {'--log', <state dir>/lsp-proxy.log}
  -- (without --log the proxy logs to stderr, which Neovim writes to its LSP log)
  proxy_args = nil,
  -- settings for the proxy (shared/INTERFACE.md "Settings", nested tables), sent as
  -- initializationOptions.marathon and as the answer to workspace/configuration
  settings = nil,
  -- names of the LSP clients that are Lean's
  client_names = { 'leanls', 'lean', 'lean4' },
  -- how :MarathonDag html opens the page: nil = vim.ui.open / xdg-open; or function(path)
  open = nil,
  -- :MarathonLeaves opens the quickfix window
  open_quickfix = true,
}

M.options = vim.deepcopy(defaults)

function M.set(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  return M.options
end

function M.proxy_args()
  local args = M.options.proxy_args
  if args then
    return args
  end
  return { '--log', compat.state_dir() .. '/lsp-proxy.log' }
end

return M
