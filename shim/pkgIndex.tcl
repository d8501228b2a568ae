package ifneeded tcltorch_mpi 0.1.0 [list source -encoding utf-8 [file join $dir tcltorch_mpi.tcl]]
