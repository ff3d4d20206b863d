-- Neovim's own LSP handling of what the proxy adds: with agents.autoApply off, the "Prove
-- `x` with agent" code action starts a job, the proof waits as an agent.proof-found
-- diagnostic and the "Apply proof found for `x`" code action, which puts it into the
-- buffer. And :MarathonReview: the fake LLM reviewer's finding arrives as a
-- marathon-review diagnostic and in the DAG.
return function(T)
  local dir = T.workspace('actions', {})
  local file = dir .. '/Blueprint.lean'
  local lines = vim.split(assert(T.read(T.root .. '/examples/number_theory.lean')), '\n', { plain = true })
  T.write(file, table.concat(lines, '\n'))
  local plain = assert(T.cli_dag(file))
  local target
  for _, n in ipairs(plain.nodes) do
    if n.name == 'euclid_number_mod_four' then
      target = n
    end
  end
  table.insert(lines, target.range.start.line + 1, '-- @fake proof: decide')
  T.write(file, table.concat(lines, '\n'))
  local cli = assert(T.cli_dag(file))
  for _, n in ipairs(cli.nodes) do
    if n.name == 'euclid_number_mod_four' then
      target = n
    end
  end

  require('marathon').setup({
    proxy = T.proxy,
    proxy_args = { '--log', T.work .. '/proxy.log' },
    settings = {
      llm = { provider = 'openai', baseUrl = ('http://127.0.0.1:%d/v1'):format(T.llm_port), model = 'review-model',
        retries = 0 },
      agents = { tactics = { 'decide' }, autoApply = false },
      onSave = 'off',
      review = { enabled = false },
      stateDir = dir .. '/state',
    },
  })
  vim.cmd('edit ' .. file)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = T.start_lean()
  T.ok(client ~= nil, 'the Lean client started through the proxy')
  if not client then
    return
  end
  T.ok(T.wait_checked(client, bufnr) ~= nil, 'Lean checked every node')

  -- vim.lsp.buf.code_action shows its menu with vim.ui.select: choose by title
  local function code_action(title)
    local seen
    local chosen = false
    local select = vim.ui.select
    vim.ui.select = function(items, _, on_choice)
      seen = {}
      for _, item in ipairs(items) do
        local action = item.action or item[2]
        table.insert(seen, action.title)
        if not chosen and action.title == title then
          chosen = true
          on_choice(item)
        end
      end
      if not chosen then
        on_choice(nil)
      end
    end
    vim.lsp.buf.code_action()
    T.wait(5000, function()
      return seen ~= nil
    end)
    vim.ui.select = select
    return chosen, seen
  end
  local function node_text()
    local d = T.dag(client, bufnr)
    for _, n in ipairs(d and d.nodes or {}) do
      if n.name == 'euclid_number_mod_four' then
        return table.concat(vim.api.nvim_buf_get_lines(bufnr, n.range.start.line, n.range['end'].line + 1, false), '\n'), n
      end
    end
  end

  vim.api.nvim_win_set_cursor(0, { target.range['end'].line + 1, 2 })
  local chosen, titles = code_action('Prove `euclid_number_mod_four` with agent')
  T.ok(chosen, 'the code actions at the sorry offer "Prove `euclid_number_mod_four` with agent"', titles)
  T.ok(vim.tbl_contains(titles or {}, 'Prove all dynamic leaves'), 'and "Prove all dynamic leaves" (it is a leaf)', titles)
  local found = T.wait(15000, function()
    for _, dg in ipairs(vim.diagnostic.get(bufnr)) do
      if dg.source == 'marathon-agent' and (dg.code == 'agent.proof-found' or (dg.user_data and dg.user_data.lsp
        and dg.user_data.lsp.code == 'agent.proof-found')) then
        return dg
      end
    end
    return false
  end)
  T.ok(found ~= nil and found ~= false, 'the proof found is an agent.proof-found diagnostic', vim.diagnostic.get(bufnr))
  T.ok(found and found.lnum >= target.range.start.line and found.lnum <= target.range['end'].line,
    'on the node', found)
  T.contains(node_text(), 'sorry', 'with autoApply off the buffer is not changed')

  vim.api.nvim_win_set_cursor(0, { target.range['end'].line + 1, 2 })
  chosen, titles = code_action('Apply proof found for `euclid_number_mod_four`')
  T.ok(chosen, 'the code actions offer "Apply proof found for `euclid_number_mod_four`"', titles)
  local text = T.wait(5000, function()
    local t = node_text()
    return t and t:find('decide', 1, true) and t
  end)
  T.ok(text and text:find(':= by\n  decide', 1, true) ~= nil and not text:find('sorry', 1, true),
    'applying it puts the proof in place of the sorry', text)
  local proved = T.wait(5000, function()
    local _, n = node_text()
    return n and n.status == 'proved'
  end)
  T.ok(proved, 'Lean saw the edit: the node is proved')

  -- :MarathonReview: the reviewer's finding
  local theorem
  for _, n in ipairs(cli.nodes) do
    if n.kind == 'theorem' then
      theorem = n
    end
  end
  T.clear_messages()
  vim.cmd('MarathonReview')
  T.ok(T.wait_message(5000, 'reviewing 1 target') ~= nil, ':MarathonReview starts one review per theorem', T.messages)
  local finding = T.wait(15000, function()
    for _, dg in ipairs(vim.diagnostic.get(bufnr)) do
      local code = dg.code or (dg.user_data and dg.user_data.lsp and dg.user_data.lsp.code)
      if dg.source == 'marathon-review' and code == 'review.too-weak' then
        return dg
      end
    end
    return false
  end)
  T.ok(finding, 'the finding is a marathon-review review.too-weak diagnostic', vim.diagnostic.get(bufnr))
  T.contains(finding and finding.message, 'Only one large prime is claimed.', "the diagnostic says the reviewer's explanation")
  T.ok(finding and finding.lnum >= theorem.range.start.line and finding.lnum <= theorem.range['end'].line,
    'on the theorem', finding)
  vim.cmd('MarathonDag')
  local view = T.wait(5000, function()
    return vim.api.nvim_buf_get_name(0):find('marathon://dag/', 1, true) and vim.api.nvim_get_current_buf()
  end)
  T.contains(view and T.buf_text(view), theorem.name .. ' [proved, review findings]',
    ':MarathonDag shows the review state')
end
