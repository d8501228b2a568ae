# all_to_all: rank r holds 2*W numbers r*100+i; chunk j (2 numbers) goes to rank j.
# Run: mpirun -n 4 python -m tcltorch_mpi examples/all_to_all.tcl
set rank [torch::get_rank]
set size [torch::get_world_size]

set data {}
for {set i 0} {$i < 2 * $size} {incr i} {
    lappend data [expr {$rank * 100 + $i}]
}
set sent [torch::tensor_create $data int64]
set received [torch::distributed_all_to_all $sent]

# Print in rank order so the exchange reads top to bottom.
for {set r 0} {$r < $size} {incr r} {
    if {$r == $rank} {
        puts "rank $rank sent     [torch::tensor_to_list $sent]"
        puts "rank $rank received [torch::tensor_to_list $received]"
        flush stdout
    }
    torch::distributed_barrier
}
