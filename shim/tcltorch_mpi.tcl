# tcltorch_mpi shim: every torch:: command is declared once below, in one table,
# and one generic parser turns positional or named calls (or positional values
# followed by named options) into a call of the engine primitive
# ::tcltorch_mpi::engine::<command> with every value in order.
#
# A parameter is {word kind default ?option ...?}:
#   word     name      required positional
#            ?name?    optional positional
#            -name     named only
#            name...   required, takes all remaining positional arguments as a list
#   kind     int double bool ints (checked here), or any (checked by the engine)
#   default  value when not given; ! means required in the named form too
#   options  the named spellings; by default -camelCase of the name

package require Tcl 8.6
namespace eval ::tcltorch_mpi {
    variable expected {int integer double number bool boolean ints {list of integers}}
}
namespace eval ::torch {}

proc ::tcltorch_mpi::camel {name} {
    set words [split $name _]
    set result [lindex $words 0]
    foreach word [lrange $words 1 end] {
        append result [string totitle $word]
    }
    return $result
}

proc ::tcltorch_mpi::valid {kind value} {
    switch -- $kind {
        int    {return [string is entier -strict $value]}
        double {return [string is double -strict $value]}
        bool   {return [string is boolean -strict $value]}
        ints {
            if {![string is list $value]} {return 0}
            foreach item $value {
                if {![string is entier -strict $item]} {return 0}
            }
            return 1
        }
    }
    return 1
}

# define command params ?engine? ?prepare? ?usage?
#   engine:  primitive name when it is not the command's own
#   prepare: command prefix that rewrites a positional argument list first
proc ::tcltorch_mpi::define {command params {engine ""} {prepare ""} {usage ""}} {
    variable expected
    set options {}
    set defaults {}
    set mandatory {}
    set checks {}
    set words {}
    set npositional 0
    set minimum 0
    set rest 0
    foreach param $params {
        lassign $param word kind default
        set spellings [lrange $param 3 end]
        if {[string index $word 0] eq "-"} {
            set name [string range $word 1 end]
        } else {
            if {[string match {\?*\?} $word]} {
                set name [string range $word 1 end-1]
            } else {
                set name [string trimright $word .]
                set rest [expr {$name ne $word}]
                set minimum [expr {$npositional + 1}]
                if {$rest} {set word "$name ?$name ...?"}
            }
            lappend words $word
            incr npositional
        }
        if {![llength $spellings]} {
            set spellings [list -[camel $name]]
        }
        set index [llength $defaults]
        foreach spelling $spellings {
            dict set options $spelling $index
        }
        # A value left at its default is not checked (an optional int may default to {}).
        if {$default eq "!"} {
            lappend defaults {}
            lappend mandatory $index [lindex $spellings 0]
            set unchecked {}
        } else {
            lappend defaults $default
            set unchecked [list $default]
        }
        if {[dict exists $expected $kind]} {
            lappend checks $index $name [dict get $expected $kind] $kind $unchecked
        }
    }
    if {$engine eq ""} {set engine $command}
    if {![string match ::* $engine]} {set engine ::tcltorch_mpi::engine::$engine}
    if {$usage eq ""} {set usage [join $words]}
    # A call with just its first value (a tensor handle, mostly) binds without parsing
    # when that value needs no kind check and nothing else is required.
    set fast [expr {$prepare eq "" && $minimum <= 1 && $npositional >= 1
                    && [lsearch -exact -integer [lmap {i n e k d} $checks {set i}] 0] < 0}]
    set first [expr {$rest ? {[list [lindex $args 0]]} : {[lindex $args 0]}}]
    # Each command is the one parser below with its spec written in as literals: no
    # alias, lookup or extra call on the way to the engine.
    set body [string map [list @engine@ [list $engine] @npositional@ $npositional \
        @minimum@ $minimum @rest@ $rest @options@ [list $options] @values@ [list $defaults] \
        @mandatory@ [list $mandatory] @checks@ [list $checks] @prepare@ [list $prepare] \
        @usage@ [list [list [string trim "torch::$command $usage"]]] @fast@ $fast @first@ $first \
        @tail@ [lrange $defaults 1 end] \
        @valid@ [expr {[dict size $options] ? [dict keys $options] : "none"}]] $::tcltorch_mpi::parser]
    proc ::torch::$command args $body
    proc ::torch::[camel $command] args $body
}

set ::tcltorch_mpi::parser {
    set n [llength $args]
    if {@fast@ && $n == 1 && ![string match {-[A-Za-z]*} [lindex $args 0]]} {
        return [@engine@ @first@ @tail@]
    }
    set values @values@
    set named {}
    set bound 0
    # An option is one word like -name that is not a number (-1 and -Inf are values).
    # Named form when the first word is one. Its first list element is what is tested,
    # so that a long list of numbers (tensor_create's data) is never turned into text.
    if {![catch {lindex $args 0 0} first] && [regexp {^-[A-Za-z]\w*$} $first]
            && ![string is double $first]} {
        set named $args
    } else {
        # Positional form; named options may follow the positional values.
        for {set i 1} {$i < $n} {incr i} {
            set word [lindex $args $i]
            if {[regexp {^-[A-Za-z]\w*$} $word] && ![string is double $word]} {
                set named [lrange $args $i end]
                set args [lrange $args 0 $i-1]
                break
            }
        }
        set prepare @prepare@
        if {$prepare ne ""} {
            set args [{*}$prepare $args]
        }
        if {@rest@ && [llength $args] >= @npositional@} {
            set args [list {*}[lrange $args 0 @npositional@-2] [lrange $args @npositional@-1 end]]
        }
        set n [llength $args]
        if {$n > @npositional@ || ($n < @minimum@ && ![llength $named])} {
            return -code error "Wrong number of arguments. Expected: [lindex @usage@ 0]"
        }
        if {$n} {
            set values [lreplace $values 0 $n-1 {*}$args]
        }
        set bound $n
    }
    if {[llength $named]} {
        set n [llength $named]
        set given {}
        for {set i 0} {$i < $n} {incr i 2} {
            set option [lindex $named $i]
            if {![dict exists @options@ $option]} {
                return -code error "Unknown parameter: $option. Valid parameters: @valid@"
            }
            if {$i + 1 == $n} {
                return -code error "Missing value for parameter: $option"
            }
            set index [dict get @options@ $option]
            if {$index < $bound} {
                return -code error "Parameter given twice: $option (also by position)"
            }
            lset values $index [lindex $named $i+1]
            lappend given $index
        }
        foreach {index option} @mandatory@ {
            if {$index >= $bound && $index ni $given} {
                return -code error "Required parameter missing: $option"
            }
        }
    }
    foreach {index name kind check unchecked} @checks@ {
        set value [lindex $values $index]
        if {$value ni $unchecked && ![::tcltorch_mpi::valid $check $value]} {
            return -code error "Invalid $name: expected $kind, got \"$value\""
        }
    }
    @engine@ {*}$values
}

# The engine hands numbers over in binary: Tcl builds the list, and its text only
# when a script needs it, in C.
proc ::tcltorch_mpi::tensor_to_list {handle} {
    lassign [::tcltorch_mpi::engine::tensor_to_list $handle] format payload
    if {$format eq ""} {
        return $payload
    }
    binary scan $payload $format values
    return $values
}

# A flat list of numbers for a floating dtype reaches the engine in binary: `binary
# format` reads the numbers a script built as numbers, with no text written or parsed
# (1M doubles: ~20 ms instead of ~200). Anything else goes as text.
proc ::tcltorch_mpi::tensor_create {data shape dtype device requires_grad} {
    if {[::tcltorch_mpi::engine::takes_doubles $dtype] && ![catch {binary format d* $data} doubles]} {
        return [::tcltorch_mpi::engine::tensor_create_doubles doubles $shape $dtype $device $requires_grad]
    }
    ::tcltorch_mpi::engine::tensor_create $data $shape $dtype $device $requires_grad
}

# tensor_create {1 2 3} int32 ?device? ?requires_grad?: a word in second place is a dtype,
# not a shape (a shape is integers), so a misspelt dtype is reported as one.
proc ::tcltorch_mpi::dtype_without_shape {arguments} {
    if {[llength $arguments] >= 2 && [regexp {^[A-Za-z]\w*$} [lindex $arguments 1]]} {
        return [linsert $arguments 1 {}]
    }
    return $arguments
}

# The LibTorch extension's older collectives: all_reduce and broadcast on the world group.
proc ::tcltorch_mpi::all_reduce {tensor operation} {
    ::tcltorch_mpi::engine::distributed_all_reduce $tensor $operation {}
}
proc ::tcltorch_mpi::broadcast {tensor root} {
    ::tcltorch_mpi::engine::distributed_broadcast $tensor $root {}
}

# arange end: start defaults to 0.
proc ::tcltorch_mpi::arange_end_only {arguments} {
    if {[llength $arguments] == 1} {
        return [list 0 {*}$arguments]
    }
    return $arguments
}

namespace eval ::tcltorch_mpi {
    set tensor_param {tensor any ! -tensor -input}
    set group_param {?group? any {}}

    # ---- distributed ----
    define distributed_init {
        {?rank? int {}} {?world_size? int {}} {?master_addr? any {}} {?master_port? any {}}
        {?backend? any {}}
    }
    define get_rank [list $group_param]
    define get_world_size [list $group_param]
    define is_distributed {}
    define distributed_barrier [list $group_param]
    define distributed_all_reduce [list {tensor any !} {?operation? any sum -operation -op} $group_param]
    define distributed_broadcast [list {tensor any !} {?root? int 0 -root -src} $group_param]
    define distributed_gather [list {tensor any !} {?dst? int 0} $group_param]
    define distributed_all_gather [list {tensor any !} $group_param]
    define distributed_scatter [list {tensor any !} {?src? int 0} $group_param]
    define distributed_reduce_scatter [list {tensor any !} {?op? any sum -op -operation} $group_param]
    define distributed_all_to_all [list {tensor any !} $group_param \
        {-inputSplits ints {}} {-outputSplits ints {}} {-async bool 0}]
    define all_reduce {{tensor any !} {?operation? any sum}} ::tcltorch_mpi::all_reduce
    define broadcast {{tensor any !} {?root? int 0}} ::tcltorch_mpi::broadcast
    foreach command {distributed_send distributed_isend} {
        define $command {{tensor any !} {dst int !} {?tag? int 0} {-group any {}}}
    }
    foreach command {distributed_recv distributed_irecv} {
        # -shape and -dtype check what arrives; in the named form they are optional
        # ("*": not given, while {} expects a 0-dimensional tensor).
        define $command {{shape ints *} {src int !} {?tag? int 0} {-dtype any {}} {-group any {}}}
    }
    define distributed_wait {{request any ! -handle}}
    define distributed_test {{request any ! -handle}}
    define distributed_new_group {{name any !} {ranks ints !}}
    define distributed_split_group {{name any !} {color int !} {?key? int {}}}
    define distributed_destroy_group {{name any !}}

    # ---- tensors ----
    define tensor_create {
        {data any !} {?shape? ints {}} {?dtype? any float32} {?device? any cpu}
        {?requires_grad? bool 0}
    } ::tcltorch_mpi::tensor_create ::tcltorch_mpi::dtype_without_shape
    foreach command {zeros ones empty} {
        define $command {{shape ints !} {?dtype? any float32} {?device? any cpu} {?requires_grad? bool 0}}
    }
    define full {{shape ints !} {value double !} {?dtype? any float32} {?device? any cpu}}
    define randn {{shape ints !} {?device? any cpu} {?dtype? any float32}}
    define tensor_randn {{shape ints !} {?device? any cpu} {?dtype? any float32}} randn
    define arange {{?start? double 0} {end double !} {?step? double 1} {-dtype any {}} {-device any cpu}} \
        {} ::tcltorch_mpi::arange_end_only {end | start end ?step?}
    define manual_seed {{seed int !}}
    foreach command {tensor_shape tensor_dtype tensor_device tensor_numel tensor_print tensor_sum tensor_mean} {
        define $command [list $tensor_param]
    }
    define tensor_to_list [list $tensor_param] ::tcltorch_mpi::tensor_to_list
    define tensor_reshape [list $tensor_param {shape ints !}]
    define tensor_permute [list $tensor_param {dims ints !}]
    define tensor_to [list $tensor_param {device any !} {?dtype? any {}}]
    foreach command {tensor_add tensor_sub tensor_mul tensor_div} {
        define $command {{a any ! -input} {b any ! -other}}
    }
    define allclose {{a any ! -input} {b any ! -other} {?rtol? double 1e-05} {?atol? double 1e-08}}
    define tensor_free {{tensor... any ! -tensor -tensors}}
    define tensor_count {}
    define cuda_is_available {}
    define cuda_device_count {}
    unset command tensor_param group_param
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
