# Token routing as in a mixture-of-experts layer. Each rank holds tokens (rows of
# a [T, 2] tensor); every token is routed to the rank (expert) given by a
# per-token choice. An uneven all_to_all sends each token to its expert, and the
# reverse all_to_all (splits swapped) brings every token back in its original order.
set rank [torch::get_rank]
set size [torch::get_world_size]

# Rank r holds r+2 tokens; token t goes to expert (r + t) % W. Tokens are already
# sorted by expert below, as a router's permutation would leave them.
set tokens [expr {$rank + 2}]
set counts [lrepeat $size 0]
for {set t 0} {$t < $tokens} {incr t} {
    lset counts [expr {($rank + $t) % $size}] [expr {[lindex $counts [expr {($rank + $t) % $size}]] + 1}]
}
set rows {}
for {set expert 0} {$expert < $size} {incr expert} {
    for {set k 0} {$k < [lindex $counts $expert]} {incr k} {
        lappend rows [list [expr {$rank * 1000 + $expert * 10 + $k}] $expert]
    }
}
set local [torch::tensor_create $rows]

set routed [torch::distributed_all_to_all $local -inputSplits $counts]
# What arrived is [value, expert] rows; every second column must be this rank.
set experts {}
foreach {value expert} [torch::tensor_to_list $routed] {lappend experts [expr {int($expert)}]}
puts "rank $rank: expert received [llength $experts] tokens, all for expert $rank: [expr {[lsort -unique $experts] in [list $rank {}]}]"

# Reverse exchange: what each expert got from rank j goes back to rank j.
set received_counts [torch::tensor_to_list [torch::distributed_all_to_all \
    [torch::tensor_create $counts int64] -inputSplits [lrepeat $size 1]]]
set back [torch::distributed_all_to_all $routed -inputSplits $received_counts -outputSplits $counts]
puts "rank $rank: tokens restored in order: [torch::allclose $back $local]"
