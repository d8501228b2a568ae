# Ring / halo exchange with isend/irecv: each rank posts receives from both
# neighbours, sends its edges, then waits. Nothing blocks on anyone's order.
set rank [torch::get_rank]
set size [torch::get_world_size]
set left [expr {($rank - 1 + $size) % $size}]
set right [expr {($rank + 1) % $size}]

set edge [torch::full {3} $rank float64]
set from_left [torch::distributed_irecv {3} $left 1]
set from_right [torch::distributed_irecv {3} $right 2]
set to_right [torch::distributed_isend $edge $right 1]
set to_left [torch::distributed_isend $edge $left 2]

set halo_left [torch::distributed_wait $from_left]
set halo_right [torch::distributed_wait $from_right]
torch::distributed_wait $to_right
torch::distributed_wait $to_left
puts "rank $rank: left halo [torch::tensor_to_list $halo_left] right halo [torch::tensor_to_list $halo_right]"
