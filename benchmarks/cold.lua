-- wrk script for the cold cases: every request carries the next token from a file of distinct,
-- pre-minted tokens (one per line), so a verifier never sees the same token twice.
-- Usage: wrk -t1 -c16 -d20s -s benchmarks/cold.lua URL -- TOKEN_FILE
-- Only -t1 is supported (run-http.sh uses it): each wrk thread runs its own Lua state, and they
-- would all replay the same tokens.
local tokens, count, index, stride = {}, 0, 0, 1
local thread_id, threads = 0, 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function init(args)
  for line in io.lines(args[1]) do
    count = count + 1
    tokens[count] = "Bearer " .. line
  end
  stride = tonumber(args[2] or "1")
  index = thread_id
end

function request()
  index = index + stride
  if index > count then
    index = index - count -- wrapped: the run script's /stats check reports the cache hits this causes
  end
  return wrk.format("GET", nil, { ["Authorization"] = tokens[index] })
end
