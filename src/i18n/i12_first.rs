//! Messages of a new user's first session: the example config sized for the host, and
//! `config-check`'s warning about shared folders that do not exist.

#[rustfmt::skip]
pub const EN: &[(&str, &str)] = &[
    ("first.example.sized", "The VM is sized for this host ({host_cpus} CPUs, {host_mem} memory): cpu {cpu}, ram {ram}; one CPU and at least 1 GiB stay free for the host."),
    ("first.example.unsized", "This host's CPUs and memory are unknown: the VM keeps cpu {cpu}, ram {ram}; change them in the file if they do not fit."),
    ("first.check.source_missing", "mounts[{index}].source: {path} does not exist; `agsekit mount`, `agsekit run` and the shims need it: create the folder or correct the path"),
    ("first.check.source_not_folder", "mounts[{index}].source: {path} is not a folder; `agsekit mount`, `agsekit run` and the shims need a folder there"),
];

#[rustfmt::skip]
pub const RU: &[(&str, &str)] = &[
    ("first.example.sized", "Размер ВМ подобран под этот компьютер ({host_cpus} CPU, память {host_mem}): cpu {cpu}, ram {ram}; один CPU и не меньше 1 ГиБ остаются свободными."),
    ("first.example.unsized", "Число CPU и объём памяти этого компьютера неизвестны: у ВМ остаются cpu {cpu}, ram {ram}; измените их в файле, если они не подходят."),
    ("first.check.source_missing", "mounts[{index}].source: {path} не существует; он нужен `agsekit mount`, `agsekit run` и шимам: создайте папку или исправьте путь"),
    ("first.check.source_not_folder", "mounts[{index}].source: {path} не папка; `agsekit mount`, `agsekit run` и шимам нужна папка"),
];
