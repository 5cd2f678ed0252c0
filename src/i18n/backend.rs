//! Messages of the VM backend keys of the config (`backend:`, `image:`).

pub const EN: &[(&str, &str)] = &[
    (
        "backend.not_text",
        "must be the name of a VM backend ({allowed}), not {got}",
    ),
    (
        "backend.unknown",
        "unknown VM backend {got}; allowed values: {allowed}",
    ),
    (
        "backend.image_shape",
        "must be an image name, URL or path (text) or a mapping with disk: and kernel:, not {got}",
    ),
    ("backend.image_path", "must be a path (text), not {got}"),
    (
        "backend.image_required",
        "missing: an image mapping needs disk: and kernel:",
    ),
    (
        "backend.image_unknown_keys",
        "unknown keys {keys}; an image mapping takes only: {known}",
    ),
    ("backend.cmdline_not_text", "must be text, not {got}"),
    (
        "backend.multipass_kernel",
        "Multipass cannot boot a disk with its own kernel: give an image name, URL or path, or use another backend: for this VM",
    ),
];

pub const RU: &[(&str, &str)] = &[
    (
        "backend.not_text",
        "должно быть именем бэкенда ВМ ({allowed}), а не {got}",
    ),
    (
        "backend.unknown",
        "неизвестный бэкенд ВМ {got}; допустимые значения: {allowed}",
    ),
    (
        "backend.image_shape",
        "должно быть именем образа, URL или путём (текстом) либо словарём с disk: и kernel:, а не {got}",
    ),
    ("backend.image_path", "должно быть путём (текстом), а не {got}"),
    (
        "backend.image_required",
        "не задано: словарю образа нужны disk: и kernel:",
    ),
    (
        "backend.image_unknown_keys",
        "неизвестные ключи {keys}; словарь образа принимает только: {known}",
    ),
    ("backend.cmdline_not_text", "должно быть текстом, а не {got}"),
    (
        "backend.multipass_kernel",
        "Multipass не умеет загружать диск со своим ядром: укажите имя образа, URL или путь либо другой backend: для этой ВМ",
    ),
];
