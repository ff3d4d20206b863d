-- The :Marathon* commands (lua/marathon/commands.lua). Loading this defines commands only;
-- nothing starts until require('marathon').setup{} or a command is used.
if vim.g.loaded_marathon then
  return
end
vim.g.loaded_marathon = true

-- Run a command; an unexpected Lua error becomes one message, never a trace.
local function guarded(fn)
  return function(opts)
    local ok, err = xpcall(fn, debug.traceback, opts)
    if not ok then
      vim.notify('marathon: internal error: ' .. tostring(err):gsub('\n.*', ''), vim.log.levels.ERROR)
      require('marathon.compat')._last_trace = err
    end
  end
end

local function commands()
  return require('marathon.commands')
end

local function names(lead)
  return commands().complete_names(lead)
end

local create = vim.api.nvim_create_user_command

create('MarathonProve', guarded(function(o)
  commands().prove(o.args)
end), { nargs = '?', complete = names, desc = 'lsp-proxy: prove the declaration under the cursor (or NAME) with the agent' })

create('MarathonRepair', guarded(function(o)
  commands().repair(o.args)
end), { nargs = '?', complete = names, desc = 'lsp-proxy: repair the declaration under the cursor (or NAME)' })

create('MarathonProveLeaves', guarded(function(o)
  commands().prove_leaves(o.bang)
end), { nargs = 0, bang = true, desc = 'lsp-proxy: prove every dynamic leaf (! : even with open review findings)' })

create('MarathonReview', guarded(function(o)
  commands().review(o.args, o.bang)
end), { nargs = '?', bang = true, complete = names, desc = 'lsp-proxy: fidelity review of the file (or NAME; ! asks again)' })

create('MarathonCancel', guarded(function(o)
  commands().cancel(o.args)
end), { nargs = '?', desc = 'lsp-proxy: cancel job ID, or every job' })

create('MarathonStatus', guarded(function()
  commands().status()
end), { nargs = 0, desc = 'lsp-proxy: jobs, Lean and LLM state' })

create('MarathonLeaves', guarded(function()
  commands().leaves()
end), { nargs = 0, desc = 'lsp-proxy: the dynamic leaves in the quickfix list' })

create('MarathonDag', guarded(function(o)
  commands().dag(o.args)
end), {
  nargs = '?',
  complete = function(lead)
    return vim.tbl_filter(function(f)
      return f:sub(1, #lead) == lead
    end, commands().dag_formats)
  end,
  desc = 'lsp-proxy: the blueprint DAG as a tree, or html/svg/json/dot/mermaid',
})
