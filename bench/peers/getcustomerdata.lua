-- Copied from ../shared/bench/peers/getcustomerdata.lua. Changes: the Token comes from
-- $IVR_BENCH_TOKEN (the product's real token), and the callers are the 200,000 customers of
-- the benchmark's generated history (+375290000000 to +375290199999), which the minimal
-- Hono peer generates too, so that both servers find what they look up.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Token"] = os.getenv("IVR_BENCH_TOKEN") or "abc"
counter = 0
request = function()
  counter = counter + 1
  local body = '{"UniqueId":"1.' .. counter .. '","Phone":"' .. string.format("+375290%06d", counter % 200000) .. '","TrunkId":"0001363","LoadDialPlan":"true"}'
  return wrk.format(nil, nil, nil, body)
end
