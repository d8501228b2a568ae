# Data-parallel training over MPI: a small MLP learns a synthetic regression.
#
#   mpirun -n 4 python -m tcltorch_mpi examples/data_parallel_training.tcl
#
# Every rank makes the same data set (the same seed), trains on its own shard of it,
# and averages its gradients with the others' before each optimizer step, so the
# ranks take the same steps: the loss printed is the whole data set's, and at the
# end every rank holds the same parameters. Any world size that divides 256 works.

set rank [torch::get_rank]
set size [torch::get_world_size]
set samples 256
if {$samples % $size} {
    error "the $samples samples do not split into $size equal shards"
}

# The task: y = x . (1.5, -2, 0.5, 3) + 0.5, with a little noise.
torch::manual_seed 0
set x [torch::randn [list $samples 4]]
set y [torch::tensor_add [torch::matmul $x [torch::tensor_create {1.5 -2.0 0.5 3.0} {4 1} float32]] 0.5]
set y [torch::tensor_add $y [torch::tensor_mul [torch::randn [list $samples 1]] 0.05]]

# This rank's shard: rows rank*shard ... (rank+1)*shard-1.
set shard [expr {$samples / $size}]
set xs [torch::narrow_copy $x 0 [expr {$rank * $shard}] $shard]
set ys [torch::narrow_copy $y 0 [expr {$rank * $shard}] $shard]

# The model: 4 -> 16 -> 1. Ranks seed differently here, then take rank 0's start.
torch::manual_seed [expr {100 + $rank}]
set hidden [torch::linear 4 16]
set output [torch::linear 16 1]
set params [concat [torch::layer_parameters $hidden] [torch::layer_parameters $output]]
torch::distributed_broadcast_parameters $params
set optimizer [torch::optimizer_sgd $params 0.1]

proc loss_of {x y} {
    global hidden output
    set h [torch::tensor_relu [torch::layer_forward $hidden $x]]
    set prediction [torch::layer_forward $output $h]
    set loss [torch::mse_loss $prediction $y]
    torch::tensor_free $h $prediction
    return $loss
}

for {set step 1} {$step <= 100} {incr step} {
    torch::optimizer_zero_grad $optimizer
    set loss [loss_of $xs $ys]
    torch::tensor_backward $loss
    torch::distributed_all_reduce_gradients $params  ;# the mean over the ranks
    torch::optimizer_step $optimizer
    # Equal shards: the whole data set's loss is the mean of the shards' losses.
    set whole [torch::distributed_all_reduce $loss mean]
    if {$rank == 0 && ($step == 1 || $step % 20 == 0)} {
        puts [format "step %3d  loss %.5f" $step [torch::tensor_item $whole]]
    }
    torch::tensor_free $loss $whole
}

# Every rank's parameters against rank 0's: the largest difference anywhere.
set largest 0.0
foreach p $params {
    set root [torch::distributed_broadcast $p 0]
    set difference [torch::tensor_max [torch::tensor_abs [torch::tensor_sub $p $root]]]
    set everywhere [torch::distributed_all_reduce $difference max]
    set largest [expr {max($largest, [torch::tensor_item $everywhere])}]
}
if {$rank == 0} {
    puts "ranks: $size, parameter tensors: [llength $params]"
    puts "largest difference from rank 0's parameters, over all ranks: $largest"
}
