//! Messages of the QEMU backend (`src/vm/qemu/`).

pub const EN: &[(&str, &str)] = &[
    ("qemu.download_failed", "downloading {url} failed (curl exit code {code}); check the address and the network, or give image: a local disk path"),
    ("qemu.checksum_mismatch", "the download of {url} does not match its published SHA256SUMS (expected {expected}, got {actual}); it was deleted, run the command again"),
    ("qemu.qmp_failed", "QEMU of VM \"{vm}\" did not answer on its QMP socket: {detail}"),
    ("qemu.kvm_fallback", "agsekit: warning: QEMU could not start with KVM, using software emulation (TCG, much slower); set AGSEKIT_QEMU_ACCEL=tcg to skip the attempt. QEMU said: {detail}"),
    ("qemu.died", "QEMU of VM \"{vm}\" exited while booting; its serial log {log} ends with:\n{tail}"),
    ("qemu.wait_ssh", "answer on SSH; the serial log {log} ends with:\n{tail}"),
    ("qemu.no_virtiofsd", "virtiofsd is not installed (looked in /usr/libexec, /usr/lib/qemu, /usr/lib and PATH); install it (Debian 12: qemu-system-x86, newer systems: the virtiofsd package) or set AGSEKIT_VIRTIOFSD"),
    ("qemu.bad_size", "{key}: \"{value}\" is not a size (examples: 4G, 512M)"),
    ("qemu.seed_too_large", "the cloud-init user data is too large for the seed volume (about 8 MB at most)"),
    ("qemu.bad_name", "\"{name}\" cannot name a QEMU VM: use letters, digits and dashes (at most 63, no dash at either end)"),
    ("qemu.kvm_silent", "QEMU started with KVM but the guest printed nothing on its serial console"),
    ("qemu.kvm_no_ssh", "the VM did not answer on SSH within {secs} s under KVM"),
    ("qemu.kvm_exited", "QEMU exited at once when started with KVM"),
    ("qemu.qmp_closed", "QEMU closed the QMP connection"),
    ("qemu.shell_failed", "ssh to VM \"{vm}\" failed (exit code 255)"),
    ("qemu.no_socket", "{program} made no socket within {secs} s and was stopped; its log ends with:\n{tail}"),
];

pub const RU: &[(&str, &str)] = &[
    ("qemu.download_failed", "не удалось скачать {url} (curl завершился с кодом {code}); проверьте адрес и сеть или укажите в image: путь к локальному диску"),
    ("qemu.checksum_mismatch", "скачанный {url} не совпадает с опубликованным SHA256SUMS (ожидалось {expected}, получено {actual}); файл удалён, запустите команду ещё раз"),
    ("qemu.qmp_failed", "QEMU ВМ \"{vm}\" не ответил на своём сокете QMP: {detail}"),
    ("qemu.kvm_fallback", "agsekit: предупреждение: QEMU не запустился с KVM, используется программная эмуляция (TCG, намного медленнее); AGSEKIT_QEMU_ACCEL=tcg отключает эту попытку. Ответ QEMU: {detail}"),
    ("qemu.died", "QEMU ВМ \"{vm}\" завершился во время загрузки; последние строки журнала консоли {log}:\n{tail}"),
    ("qemu.wait_ssh", "ответить по SSH; последние строки журнала консоли {log}:\n{tail}"),
    ("qemu.no_virtiofsd", "virtiofsd не установлен (искали в /usr/libexec, /usr/lib/qemu, /usr/lib и PATH); установите его (Debian 12: qemu-system-x86, новые системы: пакет virtiofsd) или задайте AGSEKIT_VIRTIOFSD"),
    ("qemu.bad_size", "{key}: \"{value}\" — не размер (примеры: 4G, 512M)"),
    ("qemu.seed_too_large", "пользовательские данные cloud-init не помещаются на диск seed (не больше примерно 8 МБ)"),
    ("qemu.bad_name", "\"{name}\" не годится в имя ВМ QEMU: латинские буквы, цифры и дефисы (не больше 63, без дефиса по краям)"),
    ("qemu.kvm_silent", "QEMU запустился с KVM, но гостевая система ничего не вывела на последовательную консоль"),
    ("qemu.kvm_no_ssh", "ВМ не ответила по SSH за {secs} с под KVM"),
    ("qemu.kvm_exited", "QEMU сразу завершился при запуске с KVM"),
    ("qemu.qmp_closed", "QEMU закрыл соединение QMP"),
    ("qemu.shell_failed", "не удалось подключиться по ssh к ВМ \"{vm}\" (код 255)"),
    ("qemu.no_socket", "{program} не создал сокет за {secs} с и был остановлен; последние строки его журнала:\n{tail}"),
];
