# Token routing as in a mixture-of-experts layer, computed on tensors.
#
# Every rank holds some tokens (the rows of a [T, 4] tensor) and the same router
# weights (a [4, W] tensor: one column per expert, and rank e is expert e). The router
# scores each token (matmul) and picks its expert (argmax); the tokens are grouped by
# expert (argsort, index_select) and counted (bincount): the counts are the splits of
# an uneven all_to_all that sends every token to its expert. Each expert does its work
# (expert e multiplies its tokens by e+1), the reverse all_to_all brings the tokens
# home, and the inverse permutation puts them back in their original order.
#
#     mpirun -n 4 python -m tcltorch_mpi examples/moe_routing.tcl
set rank [torch::get_rank]
set size [torch::get_world_size]
set features 4

# The rows of a tensor, as a Tcl list of lists (what the lines below print).
proc rows {tensor} {
    set width [lindex [torch::tensor_shape $tensor] end]
    set rows {}
    set row {}
    foreach value [torch::tensor_to_list $tensor] {
        lappend row $value
        if {[llength $row] == $width} {
            lappend rows $row
            set row {}
        }
    }
    return $rows
}

# Rank r holds r+3 tokens; element d of token t is (7r + 3t + 5d) % 11 - 5. Integer
# values keep every score exact, so every rank (and a check in numpy) agrees on them.
set count [expr {$rank + 3}]
set values {}
for {set t 0} {$t < $count} {incr t} {
    for {set d 0} {$d < $features} {incr d} {
        lappend values [expr {(7 * $rank + 3 * $t + 5 * $d) % 11 - 5}]
    }
}
set tokens [torch::tensor_create $values [list $count $features]]

# The router, the same on every rank: weight (d, e) is (d + 6e) % 7 - 3.
set values {}
for {set d 0} {$d < $features} {incr d} {
    for {set e 0} {$e < $size} {incr e} {
        lappend values [expr {($d + 6 * $e) % 7 - 3}]
    }
}
set router [torch::tensor_create $values [list $features $size]]

# Route: the best-scoring expert of each token.
set scores [torch::matmul $tokens $router]
set choice [torch::argmax $scores 1]
set experts [torch::tensor_to_list $choice]
puts "rank $rank: tokens [rows $tokens]"
puts "rank $rank: experts $experts"

# Group the tokens by expert (a stable sort keeps each expert's tokens in order) and
# count them: how many rows go to each rank, zeros included.
set order [torch::argsort $choice 0 0 1]
set grouped [torch::index_select $tokens 0 $order]
set counts [torch::bincount $choice -minlength $size]
set sendSplits [torch::tensor_to_list $counts]
# One count to each rank: every expert learns how many rows each rank sends it.
set recvSplits [torch::tensor_to_list [torch::distributed_all_to_all $counts]]
puts "rank $rank: sends $sendSplits receives $recvSplits"

set received [torch::distributed_all_to_all $grouped -inputSplits $sendSplits -outputSplits $recvSplits]
# The expert's own check: the router sends every token it received to it.
set mine [torch::tensor_to_list [torch::argmax [torch::matmul $received $router] 1]]
puts "rank $rank: expert $rank received [llength $mine] tokens, all routed to it: [expr {[lsort -unique $mine] in [list $rank {}]}]"

# The expert's work, then every row back to the rank it came from, in grouped order.
set worked [torch::tensor_mul $received [torch::full {} [expr {$rank + 1}]]]
set back [torch::distributed_all_to_all $worked -inputSplits $recvSplits -outputSplits $sendSplits]

# The inverse permutation (argsort of the permutation) restores the original order.
set result [torch::index_select $back 0 [torch::argsort $order]]
puts "rank $rank: result [rows $result]"

# Expected: each token times (its expert + 1), computed here from the Tcl list.
set factors [torch::tensor_create [lmap e $experts {expr {$e + 1}}] [list $count 1]]
set expected [torch::tensor_mul $tokens $factors]
puts "rank $rank: ok [torch::allclose $result $expected 0 0]"
