-- marathon.progress: the agents' $/progress (tokens `marathon/job-N`, README "Progress"),
-- kept per job for a statusline and :MarathonStatus. Neovim's own $/progress handler still
-- runs (it is wrapped, not replaced), so other progress UIs (fidget, lualine, vim.lsp.status)
-- see the same notifications.
local M = {}

M.jobs = {} -- token -> {title, message, percentage, done, client_id}
M.order = {} -- tokens, oldest first

local function on_progress(result)
  local token = result and result.token
  if type(token) ~= 'string' or token:sub(1, 9) ~= 'marathon/' then
    return
  end
  local v = result.value or {}
  local j = M.jobs[token]
  if not j then
    j = {}
    M.jobs[token] = j
    table.insert(M.order, token)
    if #M.order > 100 then
      M.jobs[table.remove(M.order, 1)] = nil
    end
  end
  if v.kind == 'begin' then
    j.title = v.title
  end
  if v.message ~= nil then
    j.message = v.message
  end
  if v.percentage ~= nil then
    j.percentage = v.percentage
  end
  j.done = v.kind == 'end'
end

-- Wrap vim.lsp.handlers['$/progress'] once.
function M.install()
  if M._installed then
    return
  end
  local original = vim.lsp.handlers['$/progress']
  vim.lsp.handlers['$/progress'] = function(err, result, ctx, config)
    pcall(on_progress, result)
    if original then
      return original(err, result, ctx, config)
    end
  end
  M._installed = true
end

-- The running jobs as a short string for a statusline ('' when none):
-- "marathon: Proving `x` 40% (+1)".
function M.statusline()
  local running = {}
  for _, token in ipairs(M.order) do
    local j = M.jobs[token]
    if j and not j.done then
      table.insert(running, j)
    end
  end
  if #running == 0 then
    return ''
  end
  local j = running[#running]
  local s = 'marathon: ' .. tostring(j.title or 'job')
  if j.percentage then
    s = s .. (' %d%%'):format(j.percentage)
  end
  if #running > 1 then
    s = s .. (' (+%d)'):format(#running - 1)
  end
  return s
end

return M
