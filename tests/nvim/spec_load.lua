-- The plugin loads, defines its commands, wraps commands lines, and says clearly what is
-- wrong when there is no Lean client (or one that does not run through the proxy).
return function(T)
  T.ok(vim.g.loaded_marathon == true, 'plugin/marathon.lua was sourced from the runtimepath')
  for _, c in ipairs({ 'MarathonProve', 'MarathonRepair', 'MarathonProveLeaves', 'MarathonReview',
    'MarathonCancel', 'MarathonStatus', 'MarathonLeaves', 'MarathonDag' }) do
    T.is(vim.fn.exists(':' .. c), 2, ':' .. c .. ' exists')
  end

  local marathon = require('marathon')
  marathon.setup({ proxy = T.proxy, proxy_args = { '--log', T.work .. '/proxy.log' } })
  T.is(marathon.wrap_cmd({ 'lake', 'serve', '--', '/p' }),
    { T.proxy, '--log', T.work .. '/proxy.log', '--', 'lake', 'serve', '--', '/p' },
    'wrap_cmd puts the proxy and its options before the server command')
  local once = marathon.wrap_cmd({ 'lake', 'serve', '--' })
  T.is(marathon.wrap_cmd(once), once, 'wrap_cmd of a wrapped command changes nothing')
  marathon.setup({ proxy = 'lsp-proxy' })
  local default = marathon.wrap_cmd({ 'lean', '--server' })
  T.is({ default[1], default[2], default[4], default[5] }, { 'lsp-proxy', '--log', '--', 'lean' },
    'default proxy_args: --log FILE')
  T.ok(type(default[3]) == 'string' and default[3]:match('lsp%-proxy%.log$') ~= nil,
    'the default log is lsp-proxy.log in the state directory', default[3])

  -- a function cmd (lean.nvim, nvim 0.11): the argv it starts is wrapped
  local seen
  local rpc_start = vim.lsp.rpc.start
  vim.lsp.rpc.start = function(argv)
    seen = argv
    return 'started'
  end
  local wrapped = marathon.wrap_cmd(function(dispatchers, cfg)
    return vim.lsp.rpc.start({ 'lake', 'serve', '--', cfg.root_dir }, dispatchers, {})
  end)
  local r = wrapped({}, { root_dir = '/proj' })
  vim.lsp.rpc.start = rpc_start
  T.is(r, 'started', 'a wrapped function cmd returns what rpc.start returned')
  T.is(seen and { seen[1], seen[#seen - 4], seen[#seen] }, { 'lsp-proxy', '--', '/proj' },
    'a wrapped function cmd starts the proxy around its argv')
  T.ok(vim.lsp.rpc.start == rpc_start, 'vim.lsp.rpc.start is restored')

  -- lspconfig: the on_setup hook wraps leanls only
  package.loaded['lspconfig.util'] = {}
  local hooks = marathon.setup({ proxy = T.proxy, proxy_args = {}, settings = { onSave = 'off' } })
  T.ok(vim.tbl_contains(hooks, 'lspconfig'), 'setup hooks lspconfig when it is installed', hooks)
  local lean = { name = 'leanls', cmd = { 'lake', 'serve', '--' } }
  local other = { name = 'clangd', cmd = { 'clangd' } }
  package.loaded['lspconfig.util'].on_setup(lean)
  package.loaded['lspconfig.util'].on_setup(other)
  T.is(lean.cmd, { T.proxy, '--', 'lake', 'serve', '--' }, "lspconfig's leanls cmd is wrapped")
  T.is(lean.init_options, { marathon = { onSave = 'off' } }, 'the settings go in initializationOptions.marathon')
  T.is(other.cmd, { 'clangd' }, 'other servers are left alone')
  package.loaded['lspconfig.util'] = nil
  marathon.setup({ proxy = T.proxy, proxy_args = { '--log', T.work .. '/proxy.log' } })

  -- vim.lsp.config (nvim 0.11+), here a stand-in with lean.nvim's function cmd
  local store = {
    leanls = {
      cmd = function(dispatchers, cfg)
        return vim.lsp.rpc.start({ 'lake', 'serve', '--', cfg.root_dir }, dispatchers, { cwd = cfg.root_dir })
      end,
      init_options = { hasWidgets = true },
    },
  }
  vim.lsp.config = setmetatable({}, {
    __index = function(_, k)
      return store[k]
    end,
    __call = function(_, name, cfg)
      store[name] = vim.tbl_deep_extend('force', store[name] or {}, cfg)
    end,
  })
  hooks = marathon.setup({ proxy = T.proxy, proxy_args = {}, settings = { agents = { autoApply = true } } })
  T.ok(vim.tbl_contains(hooks, 'vim.lsp.config'), 'setup uses vim.lsp.config when it exists', hooks)
  local started_argv, started_opts
  vim.lsp.rpc.start = function(argv, _, o)
    started_argv, started_opts = argv, o
    return 'rpc'
  end
  store.leanls.cmd({}, { root_dir = '/proj' })
  T.is(started_argv, { T.proxy, '--', 'lake', 'serve', '--', '/proj' }, "vim.lsp.config: lean.nvim's cmd now starts the proxy")
  T.is(started_opts, { cwd = '/proj' }, "vim.lsp.config: lean.nvim's cwd is kept")
  T.is(store.leanls.init_options, { hasWidgets = true, marathon = { agents = { autoApply = true } } },
    'vim.lsp.config: the settings join the init_options')
  store.leanls = nil
  marathon.setup({ proxy = T.proxy, proxy_args = {} })
  store.leanls.cmd({}, { root_dir = T.work })
  T.is(started_argv, { T.proxy, '--', 'lean', '--server', T.work }, 'no leanls config: lean --server ROOT without a lakefile')
  T.write(T.work .. '/lakefile.toml', 'name = "p"\n')
  store.leanls.cmd({}, { root_dir = T.work })
  T.is(started_argv, { T.proxy, '--', 'lake', 'serve', '--', T.work }, 'and lake serve -- ROOT with one')
  T.is(started_opts and started_opts.cwd, T.work, 'in the root')
  os.remove(T.work .. '/lakefile.toml')
  vim.lsp.rpc.start = rpc_start
  vim.lsp.config = nil
  marathon.setup({ proxy = T.proxy, proxy_args = { '--log', T.work .. '/proxy.log' } })

  -- no Lean client: one clear message per command, no Lua error
  local dir = T.workspace('none', { 'number_theory.lean' })
  vim.cmd('edit ' .. dir .. '/number_theory.lean')
  for _, c in ipairs({ 'MarathonProve', 'MarathonRepair', 'MarathonLeaves', 'MarathonDag', 'MarathonStatus',
    'MarathonCancel', 'MarathonProveLeaves', 'MarathonReview' }) do
    T.clear_messages()
    local ok, err = pcall(vim.cmd, c)
    local msg, level = T.last_message()
    T.ok(ok, ':' .. c .. ' without a Lean client raises no error', err)
    T.ok(msg and msg:find('^marathon: no Lean client is attached') ~= nil and level == vim.log.levels.ERROR,
      ':' .. c .. ' says no Lean client is attached', msg)
    T.ok(msg and not msg:find('traceback') and not msg:find('%.lua:%d+'), ':' .. c .. ': no Lua trace', msg)
  end
  T.clear_messages()
  vim.cmd('MarathonDag pdf')
  T.contains(T.last_message(), 'MarathonDag [tree|html|svg|json|dot|mermaid]', ':MarathonDag pdf names the formats')

  -- a Lean client that does not go through the proxy
  local client = T.start_lean({ wrap = false })
  T.ok(client ~= nil, 'a Lean client without the proxy started')
  T.clear_messages()
  vim.cmd('MarathonLeaves')
  T.contains(T.last_message(), 'does not run through lsp-proxy', 'without the proxy: the message says so')

  -- :checkhealth marathon mentions the proxy's version
  local version = vim.trim(vim.fn.system({ T.proxy, '--version' }))
  vim.cmd('checkhealth marathon')
  local health = T.buf_text(0)
  T.contains(health, 'proxy version: ' .. version, ':checkhealth marathon shows `lsp-proxy --version`')
  T.contains(health, T.proxy, ':checkhealth marathon shows the proxy binary')
  T.contains(health, 'does not run through lsp-proxy', ':checkhealth marathon: the client without the proxy is a warning')
  T.lacks(health, 'Failed to run healthcheck', 'the health check ran without a Lua error')

  -- a proxy binary that is not there
  require('marathon').setup({ proxy = T.work .. '/no/lsp-proxy' })
  vim.cmd('checkhealth marathon')
  health = T.buf_text(0)
  T.contains(health, 'proxy binary `' .. T.work .. '/no/lsp-proxy` not found', ':checkhealth: a missing proxy is an error')
  T.contains(health, "setup{ proxy = '/path/to/lsp-proxy' }", 'with the way to fix it')
  T.lacks(health, 'Failed to run healthcheck', 'the health check still ran without a Lua error')
  vim.cmd('silent! only')
  vim.api.nvim_set_current_buf(vim.fn.bufnr(dir .. '/number_theory.lean'))
  T.clear_messages()
  vim.cmd('MarathonDag html')
  T.contains(T.last_message(), 'is not executable (see :checkhealth marathon)', ':MarathonDag html without the proxy says so')
  require('marathon').setup({ proxy = T.proxy, proxy_args = { '--log', T.work .. '/proxy.log' } })

  -- while Lean is still checking, :MarathonLeaves says the list may grow
  local slow = T.workspace('slow', { 'number_theory.lean' })
  vim.cmd('silent! only')
  vim.cmd('edit ' .. slow .. '/number_theory.lean')
  local sbuf = vim.api.nvim_get_current_buf()
  local proxied = T.start_lean({ fake_args = { '--report-delay-ms', '4000' }, root_dir = slow })
  T.ok(proxied ~= nil and proxied.id ~= client.id, 'a second client for the second root')
  local busy = T.wait(3000, function()
    return (T.progress[vim.uri_from_bufnr(sbuf)] or 0) > 0
  end)
  T.ok(busy, 'Lean reports that it is processing the file')
  T.clear_messages()
  vim.cmd('MarathonLeaves')
  T.ok(T.wait_message(3000, 'Lean has not checked') ~= nil, ':MarathonLeaves while Lean works: says nodes are unchecked',
    T.messages)
end
