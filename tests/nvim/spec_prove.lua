-- The agents from Neovim: :MarathonProve at a sorry (the LLM prover, through the fake LLM
-- endpoint; the tactic portfolio), :MarathonRepair, :MarathonProveLeaves; the verified
-- proof reaches the buffer through workspace/applyEdit (agents.autoApply); :MarathonStatus
-- and :checkhealth with a running client. The fake Lean judges candidates from
-- `-- @fake proof:` markers put into a copy of examples/number_theory.lean.
return function(T)
  local KEY = 'sk-nvim-test-secret-77'
  T.ok(os.getenv('MARATHON_API_KEY') == KEY and T.llm_port ~= nil, 'the fake LLM runs and the key is in the environment')
  local dir = T.workspace('prove', {})
  local file = dir .. '/Blueprint.lean'
  local lines = vim.split(assert(T.read(T.root .. '/examples/number_theory.lean')), '\n', { plain = true })
  T.write(file, table.concat(lines, '\n'))
  local plain = assert(T.cli_dag(file))
  local function start_line(d, name)
    for _, n in ipairs(d.nodes) do
      if n.name == name then
        return n.range.start.line + 1
      end
    end
  end
  -- markers, bottom up so the line numbers stay right
  local marks = {
    { 'euclid_number_mod_four', '-- @fake proof: omega' },
    { 'prime_factor_of_odd_ne_two', '-- @fake proof: decide' },
    { 'three_mod_four_odd', '-- @fake proof: omega' },
    -- the leaves once those three are proved (:MarathonProveLeaves, by the LLM: a proof
    -- must use the node's deps, or the proxy refuses it as a blueprint.closeness break)
    { 'prod_prime_factors_one_mod_four', '-- @fake proof: exact prod_one_mod_four _' },
    { 'prime_factor_gt', '-- @fake proof: exact not_dvd_euclid_number' },
  }
  table.sort(marks, function(a, b)
    return start_line(plain, a[1]) > start_line(plain, b[1])
  end)
  for _, m in ipairs(marks) do
    table.insert(lines, start_line(plain, m[1]), m[2])
  end
  T.write(file, table.concat(lines, '\n'))
  local cli = assert(T.cli_dag(file))

  require('marathon').setup({
    proxy = T.proxy,
    proxy_args = { '--log', T.work .. '/proxy.log', '--log-level', 'debug' },
    settings = {
      llm = { provider = 'openai', baseUrl = ('http://127.0.0.1:%d/v1'):format(T.llm_port), model = 'test-model',
        retries = 0 },
      agents = { tactics = { 'decide' }, maxAttempts = 3, autoApply = true },
      onSave = 'off',
      review = { enabled = false },
      stateDir = dir .. '/state',
    },
  })
  vim.cmd('edit ' .. file)
  local bufnr = vim.api.nvim_get_current_buf()
  local original = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local client = T.start_lean()
  T.ok(client ~= nil, 'the Lean client started through the proxy')
  if not client then
    return
  end
  local live = T.wait_checked(client, bufnr)
  T.ok(live ~= nil, 'Lean checked every node')

  local function node_of(d, name)
    for _, n in ipairs(d and d.nodes or {}) do
      if n.name == name then
        return n
      end
    end
  end
  local function job(id)
    local st = require('marathon.lsp').execute_sync(client, bufnr, 'marathon.status', vim.empty_dict(), 3000)
    for _, j in ipairs(st and st.jobs or {}) do
      if tostring(j.id) == tostring(id) then
        return j
      end
    end
  end
  local function wait_job(id, ms)
    return T.wait(ms or 15000, function()
      local j = job(id)
      return j and (j.state == 'succeeded' or j.state == 'failed' or j.state == 'cancelled') and j
    end)
  end
  local function started(name)
    local msg = T.wait_message(5000, 'proving `' .. name .. '`') or T.wait_message(10, 'repairing `' .. name .. '`')
    return msg and msg:match('%(job ([^)]+)%)')
  end
  -- the node's lines in the buffer now (by the live DAG)
  local function node_text(name)
    local n = node_of(T.dag(client, bufnr), name)
    if not n then
      return nil
    end
    return table.concat(vim.api.nvim_buf_get_lines(bufnr, n.range.start.line, n.range['end'].line + 1, false), '\n')
  end

  -- the cursor on a line outside every declaration
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  T.clear_messages()
  vim.cmd('MarathonProve')
  T.ok(T.wait_message(3000, 'the cursor is not inside a declaration') ~= nil,
    ':MarathonProve outside any node says so', T.messages)

  -- a proved node or an unknown name: the proxy's or the plugin's message, no trace
  T.clear_messages()
  vim.cmd('MarathonProve no_such_lemma')
  T.contains(T.wait_message(3000, 'no_such_lemma'), 'marathon: no node `no_such_lemma` in this file',
    ':MarathonProve NAME with an unknown name says so')
  T.clear_messages()
  vim.cmd('MarathonProve mod_four_of_odd')
  local refusal = T.wait(3000, function()
    local m, level = T.last_message()
    return m and level == vim.log.levels.ERROR and m
  end)
  T.ok(refusal and refusal:find('^marathon: marathon%.prove: ') ~= nil, 'proving a proved node shows the proxy\'s refusal', refusal)
  T.lacks(refusal, 'marathon.prove: marathon.prove', 'the command is named once')

  -- 1. the LLM prover: decide (portfolio) and norm_num (LLM round 1) are rejected, omega wins
  local target = node_of(cli, 'euclid_number_mod_four')
  vim.api.nvim_win_set_cursor(0, { target.range['end'].line + 1, 2 }) -- on `sorry`
  T.clear_messages()
  vim.cmd('MarathonProve')
  local id = started('euclid_number_mod_four')
  T.ok(id ~= nil, ':MarathonProve on the sorry starts a job for the declaration under the cursor', T.messages)
  local line = T.wait(3000, function()
    local l = require('marathon').statusline()
    return l ~= '' and l
  end)
  T.ok(line and line:find('^marathon: ') ~= nil, 'while the job runs the statusline shows it ($/progress)', line)
  local j = id and wait_job(id)
  T.is(j and { j.state, j.kind, j.proof }, { 'succeeded', 'prove', 'omega' }, 'the LLM prover found omega')
  T.is(j and j.attempts, 2, 'two LLM rounds (norm_num rejected by Lean, then omega)')
  local p = T.wait(3000, function()
    local pj = require('marathon.progress').jobs['marathon/' .. tostring(id)]
    return pj and pj.done and pj
  end)
  T.ok(p and type(p.title) == 'string' and p.title:find('euclid_number_mod_four', 1, true) ~= nil,
    "the job's progress began with a title naming the node and ended", p)
  T.is(require('marathon').statusline(), '', 'the statusline is empty once no job runs')
  local text = T.wait(5000, function()
    local t = node_text('euclid_number_mod_four')
    return t and t:find('omega', 1, true) and t
  end)
  T.ok(text and text:find('three_mod_four (euclid_number n) := by\n  omega', 1, true) ~= nil,
    'workspace/applyEdit put the verified proof into the buffer', text)
  T.lacks(text or 'sorry', 'sorry', 'the sorry is gone from the node')
  local now = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  T.is({ #now, vim.list_slice(now, 1, target.range.start.line), vim.list_slice(now, target.range['end'].line + 2) },
    { #original, vim.list_slice(original, 1, target.range.start.line), vim.list_slice(original, target.range['end'].line + 2) },
    'nothing outside the node changed')
  local proved = T.wait(5000, function()
    local n = node_of(T.dag(client, bufnr), 'euclid_number_mod_four')
    return n and n.status == 'proved' and n
  end)
  T.ok(proved ~= nil, 'the proxy saw the edit (didChange): the node is proved in the live DAG')
  local record = T.read(T.llm_record) or ''
  local _, requests = record:gsub('"path":"/v1/chat/completions"', '')
  T.is(requests, 2, 'two requests reached the LLM endpoint')
  T.contains(record, 'Bearer ' .. KEY, 'the key from MARATHON_API_KEY went to the endpoint')

  -- 2. the tactic portfolio, by name
  T.clear_messages()
  vim.cmd('MarathonProve prime_factor_of_odd_ne_two')
  id = started('prime_factor_of_odd_ne_two')
  j = id and wait_job(id)
  T.is(j and { j.state, j.kind, j.proof }, { 'succeeded', 'tactics', 'decide' }, ':MarathonProve NAME: the portfolio proved it with decide')
  text = T.wait(5000, function()
    local t = node_text('prime_factor_of_odd_ne_two')
    return t and t:find('decide', 1, true) and t
  end)
  T.ok(text and text:find(':= by\n  decide', 1, true) ~= nil, 'the portfolio proof is in the buffer', text)

  -- 3. repair a node Lean rejects
  local broken = T.wait(3000, function()
    local n = node_of(T.dag(client, bufnr), 'three_mod_four_odd')
    return n and n.status == 'error' and n
  end)
  T.ok(broken ~= nil, 'three_mod_four_odd has a Lean error (its proof is not the accepted one)')
  vim.api.nvim_win_set_cursor(0, { broken.range['end'].line + 1, 0 })
  T.clear_messages()
  vim.cmd('MarathonRepair')
  id = started('three_mod_four_odd')
  j = id and wait_job(id)
  T.is(j and { j.state, j.kind, j.proof }, { 'succeeded', 'repair', 'omega' }, ':MarathonRepair: the repairer fixed it')
  text = T.wait(5000, function()
    local t = node_text('three_mod_four_odd')
    return t and not t:find('unfold', 1, true) and t
  end)
  T.ok(text and text:find(':= by\n  omega', 1, true) ~= nil, 'the repaired proof replaced the broken one', text)

  -- 4. :MarathonStatus lists the jobs
  vim.cmd('MarathonStatus')
  local sbuf = T.wait(5000, function()
    return vim.api.nvim_buf_get_name(0):find('marathon://status', 1, true) and vim.api.nvim_get_current_buf()
  end)
  local status = sbuf and T.buf_text(sbuf) or ''
  T.ok(status:find('prove%s+succeeded%s+%d+%s+euclid_number_mod_four') ~= nil, ':MarathonStatus shows the prove job', status)
  T.ok(status:find('tactics%s+succeeded%s+%d+%s+prime_factor_of_odd_ne_two') ~= nil, ':MarathonStatus shows the tactics job', status)
  T.ok(status:find('repair%s+succeeded%s+%d+%s+three_mod_four_odd') ~= nil, ':MarathonStatus shows the repair job', status)
  T.contains(status, 'proof: omega', ':MarathonStatus shows the proof found')
  T.contains(status, 'provider openai, model test-model, requests 3', ':MarathonStatus shows the LLM usage')
  T.lacks(status, KEY, ':MarathonStatus never shows the key')
  vim.cmd('silent! only')
  vim.api.nvim_set_current_buf(bufnr)

  -- 5. every dynamic leaf at once
  local d = T.dag(client, bufnr)
  local leaves = {}
  for _, n in ipairs(d and d.nodes or {}) do
    if n.leaf then
      table.insert(leaves, n.name)
    end
  end
  T.ok(#leaves >= 1, 'there are leaves left', leaves)
  T.clear_messages()
  vim.cmd('MarathonProveLeaves')
  local msg = T.wait_message(5000, 'dynamic leaves')
  T.contains(msg, ('proving %d dynamic leaves'):format(#leaves), ':MarathonProveLeaves starts one job per leaf')
  local done = T.wait(10000, function()
    for _, name in ipairs(leaves) do
      local t = node_text(name)
      if not t or t:find('sorry', 1, true) then
        return false
      end
    end
    return true
  end)
  T.ok(done, 'every leaf got its proof in the buffer', leaves)
  T.contains(node_text('prod_prime_factors_one_mod_four'), ':= by\n  exact prod_one_mod_four _',
    "the LLM's proof of prod_prime_factors_one_mod_four is in the buffer")

  -- 6. cancel with nothing running; health with a running client
  T.clear_messages()
  vim.cmd('MarathonCancel')
  T.contains(T.wait_message(3000, 'cancelled'), 'cancelled 0 jobs', ':MarathonCancel: nothing was running')
  vim.cmd('checkhealth marathon')
  local health = T.buf_text(0)
  T.contains(health, 'runs through lsp-proxy', ':checkhealth: the Lean client runs through the proxy')
  T.contains(health, 'provider openai, model test-model', ':checkhealth shows the LLM settings the proxy uses')
  T.lacks(health, KEY, ':checkhealth never shows the key')
  T.lacks(health, 'Failed to run healthcheck', 'the health check ran without a Lua error')
end
