-- marathon.dag: what the plugin does with the DAG JSON of marathon.dag (shared/INTERFACE.md):
-- the node under the cursor, the dynamic leaves as quickfix items, and the DAG as an
-- indented tree in a scratch buffer (<CR> jumps to the node). Pure functions of the JSON
-- except open_tree, which makes the buffer.
local compat = require('marathon.compat')

local M = {}

local function pos_le(a, b)
  return a.line < b.line or (a.line == b.line and a.character <= b.character)
end

-- The 0-based LSP position (UTF-16 character) of the cursor of window win.
function M.cursor_position(bufnr, win)
  local cur = vim.api.nvim_win_get_cursor(win or 0)
  local row, col = cur[1] - 1, cur[2]
  local line = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ''
  return { line = row, character = compat.utf16_of_byte(line, col) }
end

-- The innermost node whose range contains pos, or nil.
function M.node_at(dag, pos)
  local best
  for _, node in ipairs(dag and dag.nodes or {}) do
    local r = node.range
    if r and pos_le(r.start, pos) and pos_le(pos, r['end']) then
      if not best or pos_le(best.range.start, r.start) and pos_le(r['end'], best.range['end']) then
        best = node
      end
    end
  end
  return best
end

function M.find(dag, name)
  for _, node in ipairs(dag and dag.nodes or {}) do
    if node.name == name then
      return node
    end
  end
  return nil
end

-- (1-based line, 0-based byte column) of an LSP position in bufnr (loaded or not).
function M.buf_position(bufnr, pos)
  local line = ''
  if bufnr and vim.api.nvim_buf_is_loaded(bufnr) then
    line = vim.api.nvim_buf_get_lines(bufnr, pos.line, pos.line + 1, false)[1] or ''
  end
  return pos.line + 1, compat.byte_of_utf16(line, pos.character)
end

local function status_text(node)
  local s = node.status or '?'
  if node.leaf then
    s = s .. ', leaf'
  end
  if node.review and node.review ~= 'unreviewed' and node.kind ~= 'definition' then
    s = s .. ', review ' .. node.review
  end
  return s
end

-- Quickfix items for the dynamic leaves (leaf = true), in file order.
function M.leaf_items(dag, bufnr)
  local items = {}
  for _, node in ipairs(dag and dag.nodes or {}) do
    if node.leaf == true then
      local lnum, col = M.buf_position(bufnr, node.range.start)
      local text = ('leaf `%s` (%s)'):format(node.name, node.kind or '?')
      if type(node.title) == 'string' and node.title ~= '' then
        text = text .. ': ' .. node.title
      end
      table.insert(items, { bufnr = bufnr, lnum = lnum, col = col + 1, text = text, type = 'I' })
    end
  end
  return items
end

-- The DAG as lines of an indented tree: roots are the proof nodes nobody depends on, the
-- children of a node its deps; a node met again is one line marked "(see above)", so the
-- output stays linear in the DAG's size. Definitions follow in a section of their own.
-- Returns lines and a table line number (1-based) -> node.
function M.tree_lines(dag, title)
  local nodes = dag.nodes or {}
  local by_name, used = {}, {}
  for _, n in ipairs(nodes) do
    by_name[n.name] = n
  end
  for _, n in ipairs(nodes) do
    for _, d in ipairs(n.deps or {}) do
      used[d] = true
    end
  end
  local s = dag.summary or {}
  local lines = {
    ('DAG of %s%s'):format(title or dag.uri or '?', dag.version ~= nil and dag.version ~= vim.NIL
      and (' (version ' .. tostring(dag.version) .. ')') or ''),
    ('%d nodes: %d proved, %d sorry, %d error, %d pending, %d leaves'):format(
      s.nodes or #nodes, s.proved or 0, s.sorry or 0, s.error or 0, s.pending or 0, s.leaves or 0),
    '<CR> jumps to the node, q closes',
    '',
  }
  local map = {}
  local shown = {}
  local function emit(node, depth, stack)
    local indent = string.rep('  ', depth)
    if shown[node.name] then
      table.insert(lines, ('%s%s [%s] (see above)'):format(indent, node.name, status_text(node)))
      map[#lines] = node
      return
    end
    shown[node.name] = true
    local line = ('%s%s [%s]'):format(indent, node.name, status_text(node))
    if type(node.title) == 'string' and node.title ~= '' then
      line = line .. ' ' .. node.title
    end
    table.insert(lines, line)
    map[#lines] = node
    stack[node.name] = true
    for _, d in ipairs(node.deps or {}) do
      local child = by_name[d]
      if child and stack[d] then
        table.insert(lines, indent .. '  ' .. d .. ' (cycle)')
        map[#lines] = child
      elseif child then
        emit(child, depth + 1, stack)
      else
        table.insert(lines, indent .. '  ' .. d .. ' [not a node of this file]')
      end
    end
    stack[node.name] = nil
  end
  for _, n in ipairs(nodes) do
    if n.kind ~= 'definition' and not used[n.name] then
      emit(n, 0, {})
    end
  end
  for _, n in ipairs(nodes) do -- nodes only reachable through a cycle
    if n.kind ~= 'definition' and not shown[n.name] then
      emit(n, 0, {})
    end
  end
  local defs = false
  for _, n in ipairs(nodes) do
    if n.kind == 'definition' then
      if not defs then
        table.insert(lines, '')
        table.insert(lines, 'Definitions')
        defs = true
      end
      table.insert(lines, ('  %s [definition]'):format(n.name)
        .. (type(n.title) == 'string' and n.title ~= '' and (' ' .. n.title) or ''))
      map[#lines] = n
    end
  end
  return lines, map
end

M._views = {}

-- Jump from the tree buffer's current line to its node in the source buffer.
function M.jump(view_buf)
  local view = M._views[view_buf]
  if not view then
    return
  end
  local node = view.map[vim.api.nvim_win_get_cursor(0)[1]]
  if not node or not node.range then
    return
  end
  local src = view.source
  if not vim.api.nvim_buf_is_valid(src) then
    vim.notify('marathon: the source buffer is gone', vim.log.levels.WARN)
    return
  end
  local win
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(w) == src then
      win = w
      break
    end
  end
  if win then
    vim.api.nvim_set_current_win(win)
  else
    vim.cmd('wincmd p')
    vim.api.nvim_win_set_buf(0, src)
  end
  local lnum, col = M.buf_position(src, node.range.start)
  lnum = math.min(lnum, vim.api.nvim_buf_line_count(src))
  vim.api.nvim_win_set_cursor(0, { lnum, col })
end

-- Show lines in a scratch buffer called name (reused), in a split. Returns the buffer.
function M.scratch(name, lines, filetype)
  local buf
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(b) == name then
      buf = b
    end
  end
  if not buf then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, name)
  end
  local bo = vim.bo[buf]
  bo.buftype = 'nofile'
  bo.bufhidden = 'hide'
  bo.swapfile = false
  bo.modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  bo.modifiable = false
  bo.filetype = filetype
  local shown = vim.fn.bufwinid(buf)
  if shown ~= -1 then
    vim.api.nvim_set_current_win(shown)
  else
    vim.cmd('botright split')
    vim.api.nvim_win_set_buf(0, buf)
  end
  vim.api.nvim_buf_set_keymap(buf, 'n', 'q', '<cmd>close<CR>', { noremap = true, silent = true })
  return buf
end

-- The tree of dag (of source buffer src) in the scratch buffer marathon://dag/<file>.
function M.open_tree(dag, src)
  local file = vim.api.nvim_buf_get_name(src)
  local lines, map = M.tree_lines(dag, vim.fn.fnamemodify(file, ':t'))
  local buf = M.scratch('marathon://dag/' .. vim.fn.fnamemodify(file, ':t'), lines, 'marathondag')
  M._views[buf] = { source = src, map = map }
  vim.api.nvim_buf_set_keymap(buf, 'n', '<CR>', '', {
    noremap = true,
    silent = true,
    callback = function()
      M.jump(buf)
    end,
  })
  return buf
end

return M
