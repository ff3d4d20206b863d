-- marathon.commands: the :Marathon* commands. Each finds the Lean client of the current
-- buffer (marathon.lsp), sends one of the proxy's commands and shows the answer; the
-- outcome of a job arrives through Neovim's own handlers (workspace/applyEdit, $/progress,
-- window/showMessage, diagnostics, the "Apply proof found" code action).
local compat = require('marathon.compat')
local config = require('marathon.config')
local dag = require('marathon.dag')
local lsp = require('marathon.lsp')

local M = {}

local function current()
  local bufnr = vim.api.nvim_get_current_buf()
  local client, why = lsp.client_for(bufnr)
  if not client then
    lsp.error(why)
    return nil
  end
  return client, bufnr
end

-- Ask for the buffer's DAG; cb(dag).
function M.with_dag(client, bufnr, cb)
  lsp.execute(client, bufnr, 'marathon.dag', { uri = lsp.uri(bufnr) }, function(result)
    if type(result) ~= 'table' or type(result.nodes) ~= 'table' then
      lsp.error('marathon: marathon.dag: the answer is not a DAG')
      return
    end
    M.last_dag = result
    cb(result)
  end)
end

-- prove / repair the node named name, or the declaration under the cursor.
local function node_job(command, verb, name)
  local client, bufnr = current()
  if not client then
    return
  end
  local win = vim.api.nvim_get_current_win()
  local pos = dag.cursor_position(bufnr, win)
  M.with_dag(client, bufnr, function(d)
    local node
    if name and name ~= '' then
      node = dag.find(d, name)
      if not node then
        lsp.error(('marathon: no node `%s` in this file'):format(name))
        return
      end
    else
      node = dag.node_at(d, pos)
      if not node then
        lsp.error('marathon: the cursor is not inside a declaration of the blueprint DAG')
        return
      end
    end
    lsp.execute(client, bufnr, command, { uri = lsp.uri(bufnr), name = node.name }, function(result)
      local id = type(result) == 'table' and result.jobId
      lsp.notify(('marathon: %s `%s` (job %s)'):format(verb, node.name, tostring(id)))
      M.last_job = id
    end)
  end)
end

function M.prove(name)
  node_job('marathon.prove', 'proving', name)
end

function M.repair(name)
  node_job('marathon.repair', 'repairing', name)
end

function M.prove_leaves(force)
  local client, bufnr = current()
  if not client then
    return
  end
  local args = { uri = lsp.uri(bufnr) }
  if force then
    args.force = true
  end
  lsp.execute(client, bufnr, 'marathon.proveLeaves', args, function(result)
    result = type(result) == 'table' and result or {}
    if result.declined then
      lsp.notify('marathon: ' .. tostring(result.message or 'declined'), vim.log.levels.WARN)
      return
    end
    local ids = result.jobIds or {}
    lsp.notify(('marathon: proving %d dynamic leaves (jobs %s)'):format(#ids, table.concat(
      vim.tbl_map(tostring, ids), ', ')))
  end)
end

function M.review(name, force)
  local client, bufnr = current()
  if not client then
    return
  end
  local args = { uri = lsp.uri(bufnr) }
  if name and name ~= '' then
    args.name = name
  end
  if force then
    args.force = true
  end
  lsp.execute(client, bufnr, 'marathon.review', args, function(result)
    result = type(result) == 'table' and result or {}
    local ids = result.jobIds or (result.jobId and { result.jobId }) or {}
    lsp.notify(('marathon: reviewing %d targets (jobs %s)'):format(#ids, table.concat(
      vim.tbl_map(tostring, ids), ', ')))
  end)
end

function M.cancel(id)
  local bufnr = vim.api.nvim_get_current_buf()
  local client, why = lsp.client_for(bufnr, true)
  if not client then
    lsp.error(why)
    return
  end
  local args = vim.empty_dict()
  if id and id ~= '' then
    args = { jobId = id }
  end
  lsp.execute(client, bufnr, 'marathon.cancel', args, function(result)
    local n = type(result) == 'table' and result.cancelled or 0
    lsp.notify(('marathon: cancelled %s job%s'):format(tostring(n), n == 1 and '' or 's'))
  end)
end

local function str(v)
  if v == nil or v == vim.NIL then
    return '-'
  end
  return tostring(v)
end

-- The lines of the :MarathonStatus buffer for a marathon.status answer.
function M.status_lines(st)
  local lines = { 'lsp-proxy status', '' }
  table.insert(lines, 'lean: ' .. str(st.lean))
  local llm = type(st.llm) == 'table' and st.llm or {}
  -- only these fields: nothing like a key is ever shown
  table.insert(lines, ('llm: provider %s, model %s, requests %s, tokens in %s, out %s%s'):format(
    str(llm.provider), str(llm.model), str(llm.requests), str(llm.tokensIn), str(llm.tokensOut),
    llm.failures ~= nil and (', failures ' .. str(llm.failures)) or ''))
  table.insert(lines, '')
  local jobs = type(st.jobs) == 'table' and st.jobs or {}
  if #jobs == 0 then
    table.insert(lines, 'no jobs')
  else
    table.insert(lines, ('%-6s %-12s %-10s %-8s %s'):format('id', 'kind', 'state', 'attempts', 'node'))
  end
  local progress = require('marathon.progress').jobs
  for _, j in ipairs(jobs) do
    local uri = type(j.uri) == 'string' and vim.fn.fnamemodify(vim.uri_to_fname(j.uri), ':t') or '-'
    table.insert(lines, ('%-6s %-12s %-10s %-8s %s (%s)'):format(str(j.id), str(j.kind), str(j.state),
      str(j.attempts), str(j.name), uri))
    local p = progress['marathon/' .. tostring(j.id)] or progress['marathon/job-' .. tostring(j.id)]
    if p and not p.done and (p.message or p.percentage) then
      table.insert(lines, ('         progress: %s%s'):format(p.percentage and (p.percentage .. '% ') or '',
        tostring(p.message or '')))
    end
    if j.proof ~= nil and j.proof ~= vim.NIL then
      for _, l in ipairs(vim.split(tostring(j.proof), '\n', { plain = true })) do
        table.insert(lines, '         proof: ' .. l)
      end
    end
    if j.message ~= nil and j.message ~= vim.NIL and j.message ~= '' then
      for _, l in ipairs(vim.split(tostring(j.message), '\n', { plain = true })) do
        table.insert(lines, '         ' .. l)
      end
    end
  end
  return lines
end

function M.status()
  local bufnr = vim.api.nvim_get_current_buf()
  local client, why = lsp.client_for(bufnr, true)
  if not client then
    lsp.error(why)
    return
  end
  lsp.execute(client, bufnr, 'marathon.status', vim.empty_dict(), function(result)
    if type(result) ~= 'table' then
      lsp.error('marathon: marathon.status: no answer')
      return
    end
    M.last_status = result
    dag.scratch('marathon://status', M.status_lines(result), 'marathonstatus')
  end)
end

function M.leaves()
  local client, bufnr = current()
  if not client then
    return
  end
  M.with_dag(client, bufnr, function(d)
    local items = dag.leaf_items(d, bufnr)
    local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
    vim.fn.setqflist({}, ' ', { title = 'Marathon: dynamic leaves of ' .. file, items = items })
    local pending = type(d.summary) == 'table' and tonumber(d.summary.pending) or 0
    if pending and pending > 0 then
      lsp.notify(('marathon: Lean has not checked %d nodes yet; run :MarathonLeaves again when it has'):format(
        pending), vim.log.levels.WARN)
    end
    if #items == 0 then
      lsp.notify('marathon: no dynamic leaves in ' .. file)
    elseif config.options.open_quickfix then
      vim.cmd('copen')
    end
  end)
end

local render_formats = { html = true, svg = true, json = false, dot = false, mermaid = false }

-- lsp-proxy dag --format FMT FILE: html/svg to a temporary file opened with the system's
-- opener, the text formats in a scratch buffer. It reads FILE as saved on disk.
function M.render(fmt)
  local bufnr = vim.api.nvim_get_current_buf()
  local file = vim.api.nvim_buf_get_name(bufnr)
  if file == '' or vim.fn.filereadable(file) == 0 then
    lsp.error('marathon: :MarathonDag ' .. fmt .. ' needs a buffer with a file on disk')
    return
  end
  if vim.bo[bufnr].modified then
    lsp.notify('marathon: the buffer has unsaved changes; the picture shows the file as saved',
      vim.log.levels.WARN)
  end
  local proxy = config.options.proxy
  if vim.fn.executable(proxy) == 0 then
    lsp.error(('marathon: the proxy binary `%s` is not executable (see :checkhealth marathon)'):format(proxy))
    return
  end
  compat.run({ proxy, 'dag', '--format', fmt, file }, function(code, out, err)
    if code ~= 0 then
      lsp.error(('marathon: lsp-proxy dag --format %s failed (exit %d): %s'):format(fmt, code, vim.trim(err)))
      return
    end
    if render_formats[fmt] then
      local path = vim.fn.tempname() .. '.' .. fmt
      local fd = io.open(path, 'wb')
      if not fd then
        lsp.error('marathon: cannot write ' .. path)
        return
      end
      fd:write(out)
      fd:close()
      M.last_render = path
      local opener = config.options.open or compat.open
      local ok, why = opener(path)
      if ok == false then
        lsp.error(('marathon: wrote %s but could not open it: %s'):format(path, tostring(why)))
      else
        lsp.notify('marathon: opened ' .. path)
      end
    else
      local lines = vim.split(out, '\n', { plain = true })
      if lines[#lines] == '' then
        table.remove(lines)
      end
      dag.scratch('marathon://dag.' .. fmt .. '/' .. vim.fn.fnamemodify(file, ':t'), lines,
        fmt == 'mermaid' and 'mermaid' or fmt)
    end
  end)
end

function M.dag(arg)
  if arg and arg ~= '' and arg ~= 'tree' then
    if render_formats[arg] == nil then
      lsp.error('marathon: :MarathonDag [tree|html|svg|json|dot|mermaid], not ' .. arg)
      return
    end
    M.render(arg)
    return
  end
  local client, bufnr = current()
  if not client then
    return
  end
  M.with_dag(client, bufnr, function(d)
    M.last_dag = d
    dag.open_tree(d, bufnr)
  end)
end

M.dag_formats = { 'tree', 'html', 'svg', 'json', 'dot', 'mermaid' }

-- Node names of the current buffer's last DAG, for completion (no request is made).
function M.complete_names(lead)
  local out = {}
  local d = M.last_dag
  for _, n in ipairs(d and d.nodes or {}) do
    if n.kind ~= 'definition' and n.name:sub(1, #lead) == lead then
      table.insert(out, n.name)
    end
  end
  return out
end

return M
