-- Test helpers for the Neovim plugin's specs (tests/nvim/run runs each spec in its own
-- headless Neovim). Results go to $MARATHON_TEST_OUT as unnumbered TAP lines ("ok - d",
-- "not ok - d", "# diagnostics"); the runner numbers them and prints the plan. Every wait
-- has a deadline, so a hang fails in seconds.
local T = {}

T.root = assert(os.getenv('MARATHON_TEST_ROOT'), 'MARATHON_TEST_ROOT')
T.work = assert(os.getenv('MARATHON_TEST_WORK'), 'MARATHON_TEST_WORK')
T.proxy = os.getenv('LSP_PROXY_BIN')
T.fake_lean = os.getenv('FAKE_LEAN_BIN')
T.llm_port = tonumber(os.getenv('MARATHON_TEST_LLM_PORT') or '')
T.llm_record = os.getenv('MARATHON_TEST_LLM_RECORD')

local out = assert(io.open(assert(os.getenv('MARATHON_TEST_OUT')), 'a'))
T.failures = 0

local function emit(line)
  out:write(line, '\n')
  out:flush()
end

function T.diag(text)
  for _, l in ipairs(vim.split(tostring(text), '\n', { plain = true })) do
    emit('#   ' .. l)
  end
end

function T.ok(cond, desc, ...)
  if cond then
    emit('ok - ' .. desc)
  else
    T.failures = T.failures + 1
    emit('not ok - ' .. desc)
    for _, d in ipairs({ ... }) do
      T.diag(type(d) == 'string' and d or vim.inspect(d))
    end
  end
  return cond
end

function T.is(got, want, desc)
  return T.ok(vim.deep_equal(got, want), desc, 'got:  ' .. vim.inspect(got), 'want: ' .. vim.inspect(want))
end

function T.contains(hay, needle, desc)
  return T.ok(type(hay) == 'string' and hay:find(needle, 1, true) ~= nil, desc,
    'looked for: ' .. vim.inspect(needle), 'in: ' .. vim.inspect(hay))
end

function T.lacks(hay, needle, desc)
  return T.ok(type(hay) == 'string' and hay:find(needle, 1, true) == nil, desc,
    'found: ' .. vim.inspect(needle), 'in: ' .. vim.inspect(hay))
end

-- Wait up to ms for cond() to be true; returns its last value.
function T.wait(ms, cond)
  local val
  vim.wait(ms, function()
    val = cond()
    return val
  end, 20)
  return val
end

-- Messages given to vim.notify, recorded instead of shown.
T.messages = {}
vim.notify = function(msg, level)
  table.insert(T.messages, { msg = tostring(msg), level = level or vim.log.levels.INFO })
end

function T.clear_messages()
  T.messages = {}
end

function T.last_message()
  local m = T.messages[#T.messages]
  return m and m.msg or nil, m and m.level or nil
end

-- Wait for a message containing needle; returns it.
function T.wait_message(ms, needle)
  return T.wait(ms, function()
    for _, m in ipairs(T.messages) do
      if m.msg:find(needle, 1, true) then
        return m.msg
      end
    end
    return false
  end)
end

function T.read(path)
  local f = io.open(path, 'rb')
  if not f then
    return nil
  end
  local s = f:read('*a')
  f:close()
  return s
end

function T.write(path, text)
  local f = assert(io.open(path, 'wb'))
  f:write(text)
  f:close()
end

-- A fresh workspace dir (a Lean project root: lean-toolchain) holding the given examples.
function T.workspace(name, examples)
  local dir = T.work .. '/' .. name
  vim.fn.mkdir(dir, 'p')
  T.write(dir .. '/lean-toolchain', 'leanprover/lean4:v4.30.0\n')
  for _, e in ipairs(examples or {}) do
    T.write(dir .. '/' .. e, assert(T.read(T.root .. '/examples/' .. e), e))
  end
  return dir
end

-- `lsp-proxy dag --format json FILE`, decoded.
function T.cli_dag(file)
  local text = vim.fn.system({ T.proxy, 'dag', '--format', 'json', file })
  if vim.v.shell_error ~= 0 then
    return nil, text
  end
  return vim.fn.json_decode(text)
end

-- Start the Lean client (proxy + fake Lean) on the current buffer and wait until the
-- server advertises the marathon commands. Returns the client.
function T.start_lean(opts)
  opts = opts or {}
  local marathon = require('marathon')
  local cmd = { T.fake_lean, '--report-delay-ms', '5', '--chunks', '1', '--record', T.work .. '/fake-lean-record.jsonl' }
  vim.list_extend(cmd, opts.fake_args or {})
  local id, err = marathon.start({
    cmd = cmd,
    settings = opts.settings,
    wrap = opts.wrap,
    root_dir = opts.root_dir,
    handlers = {
      -- Lean's progress (lean-lsp-facts: processing [] once the file is done)
      ['$/lean/fileProgress'] = function(_, params)
        T.progress[params.textDocument.uri] = #(params.processing or {})
      end,
    },
  })
  if not id then
    return nil, err
  end
  local client = T.wait(8000, function()
    local c = vim.lsp.get_client_by_id(id)
    return c and c.server_capabilities and c
  end)
  return client
end

-- marathon.dag of bufnr through client, synchronously.
function T.dag(client, bufnr)
  return require('marathon.lsp').execute_sync(client, bufnr, 'marathon.dag', { uri = vim.uri_from_bufnr(bufnr) }, 3000)
end

T.progress = {}

-- Wait until Lean has finished the file (its fileProgress says nothing is processing) and
-- the proxy's DAG of bufnr has no `pending` node. (Right after didOpen, before Lean's
-- first fileProgress, the proxy's DAG shows complete proofs as `proved`, not `pending`:
-- "no pending node" alone is not enough.)
function T.wait_checked(client, bufnr, ms)
  local uri = vim.uri_from_bufnr(bufnr)
  return T.wait(ms or 8000, function()
    if T.progress[uri] ~= 0 then
      return false
    end
    local d = T.dag(client, bufnr)
    return d and d.summary and (d.summary.pending or 0) == 0 and #d.nodes > 0 and d
  end)
end

function T.buf_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr or 0, 0, -1, false), '\n')
end

-- Run spec(T) and exit Neovim; a Lua error in it is one failed check.
function T.run(spec)
  local ok, err = xpcall(spec, debug.traceback, T)
  if not ok then
    T.ok(false, 'the spec ran to its end', tostring(err))
  end
  emit('#done')
  out:close()
  vim.cmd('qa!')
end

return T
