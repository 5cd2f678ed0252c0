//! Messages about the QEMU VM's network: passt, and what QEMU's user-mode network lets the
//! guest reach on the host.

#[rustfmt::skip]
pub const EN: &[(&str, &str)] = &[
    ("qemu.passt_failed", "could not start passt, the network of VM {vm}: {detail}"),
    ("qemu.passt_failed_hint", "its log: {log}; to start without it (the VM can then reach services on this computer's loopback): AGSEKIT_PASST=none"),
    ("host.subject.network", "VM network"),
    ("host.net_passt", "passt ({path}): VMs cannot reach services that listen only on this computer's loopback"),
    ("host.net_no_passt", "passt is not installed: VMs start on QEMU's user-mode network, where the agent reaches every service listening on this computer's 127.0.0.1 (at 10.0.2.2)"),
    ("host.net_install_passt", "install passt (agsekit prepare, or: sudo apt install passt / dnf install passt / pacman -S passt); VMs use it from their next start"),
    ("host.net_old_qemu", "this QEMU cannot connect to passt (it needs QEMU 7.2 or later): VMs start on QEMU's user-mode network, where the agent reaches every service listening on this computer's 127.0.0.1 (at 10.0.2.2)"),
];

#[rustfmt::skip]
pub const RU: &[(&str, &str)] = &[
    ("qemu.passt_failed", "не удалось запустить passt, сеть ВМ {vm}: {detail}"),
    ("qemu.passt_failed_hint", "его журнал: {log}; запуск без него (тогда ВМ достаёт до служб на loopback этого компьютера): AGSEKIT_PASST=none"),
    ("host.subject.network", "сеть ВМ"),
    ("host.net_passt", "passt ({path}): ВМ не достают до служб, которые слушают только loopback этого компьютера"),
    ("host.net_no_passt", "passt не установлен: ВМ запускаются в пользовательской сети QEMU, где агент достаёт до любой службы на 127.0.0.1 этого компьютера (по адресу 10.0.2.2)"),
    ("host.net_install_passt", "установите passt (agsekit prepare или: sudo apt install passt / dnf install passt / pacman -S passt); ВМ используют его со следующего запуска"),
    ("host.net_old_qemu", "этот QEMU не умеет подключаться к passt (нужен QEMU 7.2 или новее): ВМ запускаются в пользовательской сети QEMU, где агент достаёт до любой службы на 127.0.0.1 этого компьютера (по адресу 10.0.2.2)"),
];
