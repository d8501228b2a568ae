# Data-parallel averaging: each rank computes a gradient-like tensor on its own data
# shard, then all_reduce mean gives every rank the same average.
set rank [torch::get_rank]
set size [torch::get_world_size]

torch::manual_seed 1234
set weights [torch::randn {4 3}]            ;# same seed: identical on every rank
set shard [torch::full {4 3} [expr {$rank + 1}]]
set gradient [torch::tensor_mul $weights $shard]
set average [torch::distributed_all_reduce $gradient mean]

# Expected: weights * mean(1..W) = weights * (W+1)/2
set expected [torch::tensor_mul $weights [torch::full {4 3} [expr {($size + 1) / 2.0}]]]
puts "rank $rank: average matches [torch::allclose $average $expected]"
puts "rank $rank: average [torch::tensor_to_list $average]"
