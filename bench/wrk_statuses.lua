-- wrk script of bench/throughput.py: count the answers that were not 2xx/3xx, by status code.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failed = {}
end

function response(status, headers, body)
  if status >= 400 then
    failed[status] = (failed[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("failed")) do
      io.write(string.format("status %d: %d\n", status, count))
    end
  end
end
