-- marathon.compat: the Neovim API differences between 0.7.2 (the oldest version supported)
-- and current releases, in one place. Every other module calls these instead of testing
-- versions itself. Nothing here knows about lsp-proxy.
local M = {}

local function has(feature)
  return vim.fn.has(feature) == 1
end

M.has = has

-- Clients attached to bufnr (nil: every running client), as a list.
function M.get_clients(bufnr)
  if vim.lsp.get_clients then -- 0.10+
    return vim.lsp.get_clients(bufnr and { bufnr = bufnr } or nil)
  end
  if bufnr then
    local list = {}
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      table.insert(list, client)
    end
    table.sort(list, function(a, b)
      return a.id < b.id
    end)
    return list
  end
  return vim.lsp.get_active_clients()
end

-- client.request / client:request: 0.11 made the methods take self and deprecated the
-- old form.
function M.request(client, method, params, handler, bufnr)
  if has('nvim-0.11') then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

function M.request_sync(client, method, params, timeout_ms, bufnr)
  if has('nvim-0.11') then
    return client:request_sync(method, params, timeout_ms, bufnr)
  end
  return client.request_sync(method, params, timeout_ms, bufnr)
end

function M.is_stopped(client)
  if has('nvim-0.11') then
    return client:is_stopped()
  end
  return client.is_stopped()
end

-- The client's command line as a list of strings when it is one (a function cmd, nvim
-- 0.11+, gives nil).
function M.client_cmd(client)
  local cmd = client.config and client.config.cmd
  if type(cmd) == 'table' then
    return cmd
  end
  return nil
end

-- Byte column (0-based) of a UTF-16 offset in line, and back. 0.11 changed both
-- signatures (encoding first).
function M.utf16_of_byte(line, byte)
  byte = math.min(byte, #line)
  if has('nvim-0.11') then
    return vim.str_utfindex(line, 'utf-16', byte, false)
  end
  local ok, _, u16 = pcall(vim.str_utfindex, line, byte)
  if ok and u16 then
    return u16
  end
  return byte
end

function M.byte_of_utf16(line, u16)
  if has('nvim-0.11') then
    return vim.str_byteindex(line, 'utf-16', u16, false)
  end
  local ok, b = pcall(vim.str_byteindex, line, u16, true)
  if ok and b then
    return b
  end
  return math.min(u16, #line)
end

-- Where logs go: stdpath('state') exists from 0.8 on, 'cache' before.
function M.state_dir()
  local ok, dir = pcall(vim.fn.stdpath, 'state')
  if not ok or type(dir) ~= 'string' or dir == '' then
    dir = vim.fn.stdpath('cache')
  end
  return dir
end

-- Run argv asynchronously; on_done(code, stdout, stderr) is called once, on the main loop.
-- vim.system (0.10+) when present, else jobstart.
function M.run(argv, on_done)
  if vim.system then
    local ok, err = pcall(vim.system, argv, { text = true }, function(res)
      vim.schedule(function()
        on_done(res.code, res.stdout or '', res.stderr or '')
      end)
    end)
    if not ok then
      on_done(-1, '', tostring(err))
    end
    return
  end
  local out, errs = {}, {}
  local ok, job = pcall(vim.fn.jobstart, argv, {
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      out = data
    end,
    on_stderr = function(_, data)
      errs = data
    end,
    on_exit = function(_, code)
      vim.schedule(function()
        on_done(code, table.concat(out, '\n'), table.concat(errs, '\n'))
      end)
    end,
  })
  if not ok or job <= 0 then
    on_done(-1, '', 'cannot run ' .. tostring(argv[1]))
  end
end

-- Open a file or URL with the system's opener: vim.ui.open (0.10+), else xdg-open/open.
function M.open(path)
  if vim.ui and vim.ui.open then -- returns (job, nil) or (nil, message)
    local ok, job, err = pcall(vim.ui.open, path)
    if ok and job ~= nil then
      return true
    end
    return false, tostring(ok and err or job)
  end
  local opener
  if has('mac') then
    opener = 'open'
  elseif has('win32') then
    opener = 'explorer'
  elseif vim.fn.executable('xdg-open') == 1 then
    opener = 'xdg-open'
  end
  if not opener then
    return false, 'no opener found (xdg-open)'
  end
  local job = vim.fn.jobstart({ opener, path }, { detach = true })
  if job <= 0 then
    return false, 'cannot run ' .. opener
  end
  return true
end

-- The health report functions: vim.health.start/ok/... (0.10+), vim.health.report_*
-- (0.8, 0.9), health#report_* (0.7).
function M.health()
  local h = vim.health
  if h and h.start then
    return { start = h.start, ok = h.ok, warn = h.warn, error = h.error, info = h.info }
  end
  if h and h.report_start then
    return {
      start = h.report_start,
      ok = h.report_ok,
      warn = h.report_warn,
      error = h.report_error,
      info = h.report_info,
    }
  end
  local function fn(name)
    return function(msg, advice)
      if advice ~= nil and (name == 'warn' or name == 'error') then
        vim.fn['health#report_' .. name](msg, advice)
      else
        vim.fn['health#report_' .. name](msg)
      end
    end
  end
  return { start = fn('start'), ok = fn('ok'), warn = fn('warn'), error = fn('error'), info = fn('info') }
end

return M
