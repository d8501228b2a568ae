# tcltorch_mpi shim: the Tcl side of the torch:: commands.
#
# The commands are declared in Python (tcltorch_mpi/commands.py) and parsed there
# (binding.py); each spelling is a Python command of the engine. Two commands have a
# proc here in front of their engine command, so that a million numbers cross between
# Tcl and Python in binary instead of as text: tensor_create and tensor_to_list.

package require Tcl 8.6
namespace eval ::tcltorch_mpi {
    # What tensor_create's data word becomes when its numbers travel in binary (the
    # engine sets it: tensor_commands.PACKED).
    variable PACKED
}
namespace eval ::torch {}

# The errorInfo of an error from the engine, up to where the shim called it: the
# error is the command's own, so errorInfo starts at the script's call.
proc ::tcltorch_mpi::engine_info {options} {
    set info [dict get $options -errorinfo]
    set shim [string first "\n    invoked from within\n" $info]
    expr {$shim >= 0 ? [string range $info 0 $shim-1] : $info}
}

# A flat list of numbers goes to tensor_create's engine command packed in binary:
# `binary format` reads numbers a script built as numbers with no text written or
# parsed (1M doubles: ~20 ms instead of ~200). The engine takes the doubles for a
# floating dtype and reads the text for the others (integers stay exact).
proc ::tcltorch_mpi::tensor_create args {
    variable data
    variable doubles
    variable PACKED
    set at 0
    # The named form: its first word is an option. Only the first list element of
    # the first word is looked at, so that long data is never made text.
    if {![catch {lindex $args 0 0} first] && [string match {-[A-Za-z]*} $first]} {
        set at [lsearch -exact $args -data]
        if {$at >= 0} {incr at}
    }
    if {$at >= 0 && $at < [llength $args] && ![catch {binary format d* [lindex $args $at]} doubles]} {
        set data [lindex $args $at]
        lset args $at $PACKED
    }
    set code [catch {::tcltorch_mpi::engine::tensor_create {*}$args} result options]
    unset -nocomplain data doubles
    if {$code} {
        return -code error -errorcode [dict get $options -errorcode] -errorinfo [engine_info $options] $result
    }
    return $result
}

# The engine hands the numbers over in binary: Tcl builds the list, and its text only
# when a script needs it, in C.
proc ::tcltorch_mpi::tensor_to_list args {
    if {[catch {::tcltorch_mpi::engine::tensor_to_list {*}$args} result options]} {
        return -code error -errorcode [dict get $options -errorcode] -errorinfo [engine_info $options] $result
    }
    lassign $result format payload
    if {$format eq ""} {
        return $payload
    }
    binary scan $payload $format values
    return $values
}

# Scripts written for the LibTorch extension load it first; here the commands are built in.
rename ::load ::tcltorch_mpi::tcl_load
proc ::load {args} {
    # The file is the first word after any -global/-lazy/-- switches.
    set path [lindex [lsearch -inline -all -not -glob $args -*] 0]
    if {[string match -nocase *libtorchtcl* [file tail $path]]} {
        return
    }
    tailcall ::tcltorch_mpi::tcl_load {*}$args
}

package provide tcltorch_mpi 0.1.0
