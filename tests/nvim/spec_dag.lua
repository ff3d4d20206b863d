-- :MarathonLeaves, :MarathonDag (tree, <CR>, html, json) on the shipped examples, through
-- the real proxy and the fake Lean; what they show is compared with `lsp-proxy dag --format
-- json FILE` computed now, not with numbers written here.
return function(T)
  local marathon = require('marathon')
  local opened = {}
  marathon.setup({
    proxy = T.proxy,
    proxy_args = { '--log', T.work .. '/proxy.log', '--log-level', 'debug' },
    settings = { onSave = 'off', review = { enabled = false } },
    open = function(path)
      table.insert(opened, path)
      return true
    end,
  })
  local dir = T.workspace('dag', { 'number_theory.lean', 'architect_style.lean' })

  for _, example in ipairs({ 'number_theory.lean', 'architect_style.lean' }) do
    local file = dir .. '/' .. example
    vim.cmd('silent! only')
    vim.cmd('edit ' .. file)
    local bufnr = vim.api.nvim_get_current_buf()
    local client = T.start_lean()
    T.ok(client ~= nil, example .. ': the Lean client started through the proxy')
    if not client then
      return
    end
    T.ok(require('marathon.lsp').has_marathon(client), example .. ': the server advertises marathon.dag')
    T.is(require('marathon').start({ cmd = { T.fake_lean } }), client.id, example .. ': start again reuses the client of the root')
    local live = T.wait_checked(client, bufnr)
    T.ok(live ~= nil, example .. ': Lean checked every node')
    local record = T.read(T.work .. '/fake-lean-record.jsonl') or ''
    local open = ''
    for _, l in ipairs(vim.split(record, '\n', { plain = true })) do
      if l:find('didOpen', 1, true) and l:find(example, 1, true) then
        open = l
      end
    end
    T.ok(open:find('"dependencyBuildMode":"never"', 1, true) ~= nil,
      example .. ': Lean got didOpen with dependencyBuildMode never', open:sub(1, 300))
    local cli = assert(T.cli_dag(file))

    -- the quickfix list: exactly the dynamic leaves, at their positions
    local want = {}
    for _, n in ipairs(cli.nodes) do
      if n.leaf then
        table.insert(want, { name = n.name, lnum = n.range.start.line + 1 })
      end
    end
    T.ok(#want > 0, example .. ': the CLI finds dynamic leaves', cli.summary)
    vim.fn.setqflist({}, 'r', { items = {} })
    vim.cmd('MarathonLeaves')
    local qf = T.wait(5000, function()
      local l = vim.fn.getqflist()
      return #l > 0 and l
    end) or {}
    local got = {}
    for _, e in ipairs(qf) do
      table.insert(got, { name = e.text:match('`([^`]+)`'), lnum = e.lnum })
    end
    if not T.is(got, want, example .. ': :MarathonLeaves lists exactly the dynamic leaves of `lsp-proxy dag`') then
      local now = T.dag(client, bufnr)
      for _, n in ipairs(now and now.nodes or {}) do
        T.diag(('live now: %s %s leaf=%s deps=%s'):format(n.name, n.status, tostring(n.leaf), table.concat(n.deps, ',')))
      end
      T.diag('live at wait_checked: ' .. vim.inspect(live and live.summary))
    end
    T.ok(#qf > 0 and qf[1].bufnr == bufnr and qf[1].col == 1, example .. ': the entries point into the buffer', qf[1])
    T.contains(vim.fn.getqflist({ title = 1 }).title, example, example .. ': the quickfix title names the file')
    vim.cmd('cclose')

    -- the tree: every node, roots first, children indented below
    vim.cmd('MarathonDag')
    local view = T.wait(5000, function()
      local name = vim.api.nvim_buf_get_name(0)
      return name:find('marathon://dag/', 1, true) and vim.api.nvim_get_current_buf()
    end)
    T.ok(view ~= nil, example .. ': :MarathonDag opens the tree buffer')
    if not view then
      return
    end
    local lines = vim.api.nvim_buf_get_lines(view, 0, -1, false)
    local s = cli.summary
    T.is(lines[2], ('%d nodes: %d proved, %d sorry, %d error, %d pending, %d leaves'):format(s.nodes, s.proved, s.sorry,
      s.error, s.pending, s.leaves), example .. ': the header line has the summary counts')
    local text = table.concat(lines, '\n')
    local missing = {}
    for _, n in ipairs(cli.nodes) do
      local status = n.status .. (n.leaf and ', leaf' or '')
      if not text:find(n.name .. ' [' .. status .. ']', 1, true) then
        table.insert(missing, n.name .. ' [' .. status .. ']')
      end
    end
    T.is(missing, {}, example .. ': the tree shows every node with its status')
    local used = {}
    for _, n in ipairs(cli.nodes) do
      for _, d in ipairs(n.deps) do
        used[d] = true
      end
    end
    local roots, wrong = 0, {}
    for _, l in ipairs(lines) do
      local name = l:match('^([%w_.]+) %[')
      if name then
        roots = roots + 1
        if used[name] then
          table.insert(wrong, name)
        end
      end
    end
    T.ok(roots > 0 and #wrong == 0, example .. ': the unindented nodes are those nobody depends on', wrong)
    -- each node's deps are the lines right under it, one level deeper
    local bad = {}
    for i, l in ipairs(lines) do
      local indent, name = l:match('^(%s*)([%w_.]+) %[[^%]]*%]')
      if name and not l:find('(see above)', 1, true) then
        local node
        for _, n in ipairs(cli.nodes) do
          if n.name == name then
            node = n
          end
        end
        local kids = {}
        local j = i + 1
        while lines[j] and #(lines[j]:match('^%s*')) > #indent do
          local ci, cn = lines[j]:match('^(%s*)([%w_.]+)')
          if cn and #ci == #indent + 2 then
            table.insert(kids, cn)
          end
          j = j + 1
        end
        if node and node.kind ~= 'definition' and not vim.deep_equal(kids, node.deps) then
          table.insert(bad, { name = name, children = kids, deps = node.deps })
        end
      end
    end
    T.is(bad, {}, example .. ': the children of every node are its deps')

    -- <CR> on a node's line jumps to it in the source buffer
    local target = want[#want]
    local row
    for i, l in ipairs(lines) do
      if l:find(target.name .. ' [', 1, true) then
        row = i
        break
      end
    end
    vim.api.nvim_win_set_cursor(0, { row, 0 })
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
    T.is({ vim.api.nvim_get_current_buf(), vim.api.nvim_win_get_cursor(0)[1] }, { bufnr, target.lnum },
      example .. ': <CR> on `' .. target.name .. '` jumps to its first line in the source')
    vim.cmd('silent! only')

    -- the text formats and the html page from the CLI
    vim.cmd('MarathonDag json')
    local jbuf = T.wait(5000, function()
      return vim.api.nvim_buf_get_name(0):find('marathon://dag.json/', 1, true) and vim.api.nvim_get_current_buf()
    end)
    local decoded = jbuf and vim.fn.json_decode(T.buf_text(jbuf))
    T.is(decoded and #decoded.nodes, #cli.nodes, example .. ': :MarathonDag json shows the CLI JSON')
    vim.cmd('silent! only')
    vim.api.nvim_set_current_buf(bufnr)
    local before = #opened
    vim.cmd('MarathonDag html')
    T.wait(5000, function()
      return #opened > before
    end)
    local page = opened[#opened] and #opened > before and T.read(opened[#opened])
    T.ok(page and page:find('<html', 1, true) ~= nil, example .. ': :MarathonDag html writes the page and opens it',
      opened)
    local in_page = 0
    for _, n in ipairs(cli.nodes) do
      if page and page:find(n.name, 1, true) then
        in_page = in_page + 1
      end
    end
    T.is(in_page, #cli.nodes, example .. ': the page names every node')
    vim.lsp.stop_client(client.id, true)
    T.wait(3000, function()
      return vim.lsp.get_client_by_id(client.id) == nil
    end)
  end
end
