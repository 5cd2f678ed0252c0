//! Messages of suspend and resume (`suspend-vm`, `resume-vm`, the daemon's idle suspend), the
//! per-VM lock of the QEMU backend and the backends' notices shown by the CLI.

pub const EN: &[(&str, &str)] = &[
    ("suspend.spin.suspending", "Suspending"),
    ("suspend.spin.suspending_vm", "Suspending VM {name}"),
    ("suspend.spin.resuming", "Resuming"),
    ("suspend.spin.resuming_vm", "Resuming VM {name}"),
    ("suspend.vm.suspended", "VM {name}: suspended"),
    ("suspend.vm.already_suspended", "VM {name}: was suspended already"),
    ("suspend.vm.was_stopped", "VM {name}: is stopped; nothing to suspend"),
    ("suspend.vm.resumed", "VM {name}: resumed"),
    ("suspend.vm.started", "VM {name}: was stopped; started"),
    ("suspend.vm.was_running", "VM {name}: was running already"),
    ("suspend.deleted", "VM `{name}` is deleted"),
    ("suspend.unsupported", "VM `{name}` cannot be suspended: its backend ({backend}) does not support suspend"),
    ("suspend.daemon.suspended", "suspended VM {vm}: no agent for {minutes} min"),
    ("suspend.config.not_action", "must be stop or suspend, not {got}"),
    ("suspend.daemon.fallback", "VM {vm}: its backend ({backend}) cannot suspend; stopping it instead (global.daemon.idle_vm_action: suspend)"),
    ("suspend.daemon.failed", "suspending idle VM {vm} failed: {error}"),
];

pub const RU: &[(&str, &str)] = &[
    ("suspend.spin.suspending", "Приостановка"),
    ("suspend.spin.suspending_vm", "Приостановка ВМ {name}"),
    ("suspend.spin.resuming", "Возобновление"),
    ("suspend.spin.resuming_vm", "Возобновление ВМ {name}"),
    ("suspend.vm.suspended", "ВМ {name}: приостановлена"),
    ("suspend.vm.already_suspended", "ВМ {name}: уже была приостановлена"),
    ("suspend.vm.was_stopped", "ВМ {name}: остановлена; приостанавливать нечего"),
    ("suspend.vm.resumed", "ВМ {name}: возобновлена"),
    ("suspend.vm.started", "ВМ {name}: была остановлена; запущена"),
    ("suspend.vm.was_running", "ВМ {name}: уже была запущена"),
    ("suspend.deleted", "ВМ `{name}` удалена"),
    ("suspend.unsupported", "ВМ `{name}` нельзя приостановить: её бэкенд ({backend}) не поддерживает приостановку"),
    ("suspend.daemon.suspended", "ВМ {vm} приостановлена: нет агентов {minutes} мин"),
    ("suspend.config.not_action", "должно быть stop или suspend, а не {got}"),
    ("suspend.daemon.fallback", "ВМ {vm}: её бэкенд ({backend}) не умеет приостанавливать; вместо этого она будет остановлена (global.daemon.idle_vm_action: suspend)"),
    ("suspend.daemon.failed", "не удалось приостановить простаивающую ВМ {vm}: {error}"),
];
