//! A tiny FAT12 writer for the NoCloud seed: a volume labelled `CIDATA` holding a few small
//! files in its root folder, with long (VFAT) names so `meta-data` and `user-data` keep their
//! spelling. Written by agsekit itself, so no `mkfs.vfat`, `mtools` or ISO tool is needed at
//! run time.
//!
//! Layout: one boot sector, two FATs, a fixed root folder of 64 entries, then the data area
//! in clusters of 4 sectors of 512 bytes. The cluster count always stays below 4085, which is
//! what makes readers (Linux, blkid) take the volume as FAT12.

const SECTOR: usize = 512;
const SECTORS_PER_CLUSTER: usize = 4;
const CLUSTER: usize = SECTOR * SECTORS_PER_CLUSTER;
const ROOT_ENTRIES: usize = 64;
const ROOT_SECTORS: usize = ROOT_ENTRIES * 32 / SECTOR;
const RESERVED_SECTORS: usize = 1;
const FATS: usize = 2;
/// The largest cluster count of a FAT12 volume, with a margin.
const MAX_CLUSTERS: usize = 4080;
/// Room left free beyond the files, so the volume is never oddly tiny.
const MIN_CLUSTERS: usize = 64;
/// A fixed timestamp (2024-01-01 00:00) so the same files give the same bytes.
const FAT_DATE: u16 = ((2024 - 1980) << 9) | (1 << 5) | 1;

/// Why a volume could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FatError {
    /// More files than the root folder holds.
    TooManyFiles,
    /// The files do not fit in a FAT12 volume (about 8 MB).
    TooLarge,
    /// A file name that is empty, too long or not printable ASCII.
    BadName(String),
}

/// Builds a FAT12 image with volume label `label` (up to 11 ASCII characters) holding
/// `files` (name, content) in its root folder.
pub fn build(label: &str, files: &[(&str, &[u8])]) -> Result<Vec<u8>, FatError> {
    let mut entries_needed = 1; // the volume label
    for (name, _) in files {
        check_name(name)?;
        entries_needed += 1 + lfn_entries(name);
    }
    if entries_needed > ROOT_ENTRIES {
        return Err(FatError::TooManyFiles);
    }
    let data_clusters: usize = files
        .iter()
        .map(|(_, content)| content.len().div_ceil(CLUSTER))
        .sum();
    let clusters = (data_clusters + MIN_CLUSTERS).max(MIN_CLUSTERS);
    if clusters > MAX_CLUSTERS {
        return Err(FatError::TooLarge);
    }
    let fat_sectors = ((clusters + 2) * 3 / 2).div_ceil(SECTOR);
    let data_start = RESERVED_SECTORS + FATS * fat_sectors + ROOT_SECTORS;
    let total_sectors = data_start + clusters * SECTORS_PER_CLUSTER;
    let mut image = vec![0u8; total_sectors * SECTOR];

    boot_sector(&mut image[..SECTOR], label, total_sectors, fat_sectors);

    let mut fat = vec![0u8; fat_sectors * SECTOR];
    fat12_set(&mut fat, 0, 0xFF8);
    fat12_set(&mut fat, 1, 0xFFF);
    let mut root = vec![0u8; ROOT_SECTORS * SECTOR];
    let mut slot = 0;
    put_entry(&mut root, &mut slot, &label_entry(label));
    let mut next_cluster = 2usize;
    for (index, (name, content)) in files.iter().enumerate() {
        let count = content.len().div_ceil(CLUSTER);
        let first = if count == 0 { 0 } else { next_cluster };
        for i in 0..count {
            let cluster = next_cluster + i;
            let value = if i + 1 == count {
                0xFFF
            } else {
                cluster as u16 + 1
            };
            fat12_set(&mut fat, cluster, value);
            let offset = (data_start + (cluster - 2) * SECTORS_PER_CLUSTER) * SECTOR;
            let chunk = &content[i * CLUSTER..content.len().min((i + 1) * CLUSTER)];
            image[offset..offset + chunk.len()].copy_from_slice(chunk);
        }
        next_cluster += count;
        let short = short_name(name, index);
        for entry in lfn(name, &short) {
            put_entry(&mut root, &mut slot, &entry);
        }
        put_entry(
            &mut root,
            &mut slot,
            &file_entry(&short, first as u16, content.len() as u32),
        );
    }
    for copy in 0..FATS {
        let offset = (RESERVED_SECTORS + copy * fat_sectors) * SECTOR;
        image[offset..offset + fat.len()].copy_from_slice(&fat);
    }
    let root_offset = (RESERVED_SECTORS + FATS * fat_sectors) * SECTOR;
    image[root_offset..root_offset + root.len()].copy_from_slice(&root);
    Ok(image)
}

fn check_name(name: &str) -> Result<(), FatError> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\\/:*?\"<>|".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(FatError::BadName(name.to_string()))
    }
}

fn lfn_entries(name: &str) -> usize {
    name.len().div_ceil(13)
}

fn put_u16(buf: &mut [u8], at: usize, value: u16) {
    buf[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(buf: &mut [u8], at: usize, value: u32) {
    buf[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn padded_label(label: &str) -> [u8; 11] {
    let mut out = [b' '; 11];
    for (slot, b) in out.iter_mut().zip(label.bytes()) {
        *slot = b.to_ascii_uppercase();
    }
    out
}

fn boot_sector(sector: &mut [u8], label: &str, total_sectors: usize, fat_sectors: usize) {
    sector[0..3].copy_from_slice(&[0xEB, 0x3C, 0x90]);
    sector[3..11].copy_from_slice(b"AGSEKIT ");
    put_u16(sector, 11, SECTOR as u16);
    sector[13] = SECTORS_PER_CLUSTER as u8;
    put_u16(sector, 14, RESERVED_SECTORS as u16);
    sector[16] = FATS as u8;
    put_u16(sector, 17, ROOT_ENTRIES as u16);
    put_u16(sector, 19, total_sectors as u16);
    sector[21] = 0xF8;
    put_u16(sector, 22, fat_sectors as u16);
    put_u16(sector, 24, 32);
    put_u16(sector, 26, 64);
    put_u32(sector, 28, 0);
    put_u32(sector, 32, 0);
    sector[36] = 0x80;
    sector[38] = 0x29;
    put_u32(sector, 39, 0x4147_534B);
    sector[43..54].copy_from_slice(&padded_label(label));
    sector[54..62].copy_from_slice(b"FAT12   ");
    sector[510] = 0x55;
    sector[511] = 0xAA;
}

fn fat12_set(fat: &mut [u8], cluster: usize, value: u16) {
    let at = cluster * 3 / 2;
    if cluster.is_multiple_of(2) {
        fat[at] = (value & 0xFF) as u8;
        fat[at + 1] = (fat[at + 1] & 0xF0) | ((value >> 8) as u8 & 0x0F);
    } else {
        fat[at] = (fat[at] & 0x0F) | (((value & 0x0F) as u8) << 4);
        fat[at + 1] = (value >> 4) as u8;
    }
}

fn put_entry(root: &mut [u8], slot: &mut usize, entry: &[u8; 32]) {
    root[*slot * 32..*slot * 32 + 32].copy_from_slice(entry);
    *slot += 1;
}

fn label_entry(label: &str) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[0..11].copy_from_slice(&padded_label(label));
    e[11] = 0x08;
    put_u16(&mut e, 22, 0);
    put_u16(&mut e, 24, FAT_DATE);
    e
}

/// An 8.3 name that no other file of the volume has: the name's first letters, `~` and the
/// file's index.
fn short_name(name: &str, index: usize) -> [u8; 11] {
    let mut out = [b' '; 11];
    let (base, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot + 1..]),
        _ => (name, ""),
    };
    let clean = |s: &str| -> Vec<u8> {
        s.bytes()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(|b| b.to_ascii_uppercase())
            .collect()
    };
    let tail = format!("~{}", index + 1).into_bytes();
    let mut stem = clean(base);
    stem.truncate(8 - tail.len());
    stem.extend_from_slice(&tail);
    out[..stem.len()].copy_from_slice(&stem);
    let ext = clean(ext);
    for (i, b) in ext.iter().take(3).enumerate() {
        out[8 + i] = *b;
    }
    out
}

fn checksum(short: &[u8; 11]) -> u8 {
    short
        .iter()
        .fold(0u8, |sum, &b| sum.rotate_right(1).wrapping_add(b))
}

/// The long-name entries of `name`, in the order they are stored (last part first).
fn lfn(name: &str, short: &[u8; 11]) -> Vec<[u8; 32]> {
    let mut units: Vec<u16> = name.encode_utf16().collect();
    let parts = units.len().div_ceil(13);
    if !units.len().is_multiple_of(13) {
        units.push(0);
        while !units.len().is_multiple_of(13) {
            units.push(0xFFFF);
        }
    }
    let sum = checksum(short);
    let mut out = Vec::new();
    for part in (0..parts).rev() {
        let mut e = [0u8; 32];
        e[0] = (part as u8 + 1) | if part + 1 == parts { 0x40 } else { 0 };
        e[11] = 0x0F;
        e[13] = sum;
        let chars = &units[part * 13..part * 13 + 13];
        let places = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
        for (unit, at) in chars.iter().zip(places) {
            put_u16(&mut e, at, *unit);
        }
        out.push(e);
    }
    out
}

fn file_entry(short: &[u8; 11], first_cluster: u16, size: u32) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[0..11].copy_from_slice(short);
    e[11] = 0x20;
    put_u16(&mut e, 16, FAT_DATE);
    put_u16(&mut e, 18, FAT_DATE);
    put_u16(&mut e, 24, FAT_DATE);
    put_u16(&mut e, 26, first_cluster);
    put_u32(&mut e, 28, size);
    e
}

/// Reads a volume written by [`build`] (or any FAT12 volume with files in its root): the
/// label from the boot sector and every file of the root folder under its long name.
#[cfg(test)]
pub fn read(image: &[u8]) -> (String, Vec<(String, Vec<u8>)>) {
    let u16_at = |at: usize| u16::from_le_bytes([image[at], image[at + 1]]) as usize;
    let sector = u16_at(11);
    let per_cluster = image[13] as usize;
    let reserved = u16_at(14);
    let fats = image[16] as usize;
    let root_entries = u16_at(17);
    let fat_sectors = u16_at(22);
    assert_eq!(&image[510..512], &[0x55, 0xAA]);
    let label = String::from_utf8_lossy(&image[43..54])
        .trim_end()
        .to_string();
    let fat = &image[reserved * sector..(reserved + fat_sectors) * sector];
    let fat_get = |cluster: usize| -> usize {
        let at = cluster * 3 / 2;
        let pair = u16::from_le_bytes([fat[at], fat[at + 1]]) as usize;
        if cluster.is_multiple_of(2) {
            pair & 0xFFF
        } else {
            pair >> 4
        }
    };
    let root_start = (reserved + fats * fat_sectors) * sector;
    let data_start = root_start + root_entries * 32;
    let mut files = Vec::new();
    let mut long: Vec<(u8, Vec<u16>)> = Vec::new();
    for i in 0..root_entries {
        let e = &image[root_start + i * 32..root_start + i * 32 + 32];
        if e[0] == 0 {
            break;
        }
        if e[11] == 0x0F {
            let mut units = Vec::new();
            for at in [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30] {
                units.push(u16::from_le_bytes([e[at], e[at + 1]]));
            }
            long.push((e[0] & 0x1F, units));
            continue;
        }
        if e[11] & 0x08 != 0 {
            continue;
        }
        long.sort_by_key(|(seq, _)| *seq);
        let units: Vec<u16> = long
            .drain(..)
            .flat_map(|(_, u)| u)
            .take_while(|&u| u != 0 && u != 0xFFFF)
            .collect();
        let name = String::from_utf16_lossy(&units);
        let size = u32::from_le_bytes([e[28], e[29], e[30], e[31]]) as usize;
        let mut cluster = u16::from_le_bytes([e[26], e[27]]) as usize;
        let mut content = Vec::new();
        while (2..0xFF8).contains(&cluster) {
            let at = data_start + (cluster - 2) * per_cluster * sector;
            content.extend_from_slice(&image[at..at + per_cluster * sector]);
            cluster = fat_get(cluster);
        }
        content.truncate(size);
        files.push((name, content));
    }
    (label, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_read_back_with_their_long_names_and_the_label() {
        let big: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let image = build(
            "cidata",
            &[
                ("meta-data", b"instance-id: x\n"),
                ("user-data", &big),
                ("empty", b""),
                ("a-rather-long-file-name.yaml", b"k: v\n"),
            ],
        )
        .unwrap();
        assert_eq!(image.len() % 512, 0);
        let (label, files) = read(&image);
        assert_eq!(label, "CIDATA");
        assert_eq!(
            files,
            vec![
                ("meta-data".to_string(), b"instance-id: x\n".to_vec()),
                ("user-data".to_string(), big),
                ("empty".to_string(), Vec::new()),
                (
                    "a-rather-long-file-name.yaml".to_string(),
                    b"k: v\n".to_vec()
                ),
            ]
        );
        // The volume label is also a root entry, as blkid and Linux read it.
        let root = (1 + 2 * u16::from_le_bytes([image[22], image[23]]) as usize) * 512;
        assert_eq!(&image[root..root + 11], b"CIDATA     ");
        assert_eq!(image[root + 11], 0x08);
    }

    #[test]
    fn the_same_files_give_the_same_bytes() {
        let a = build("cidata", &[("meta-data", b"x")]).unwrap();
        let b = build("cidata", &[("meta-data", b"x")]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn stays_fat12_and_refuses_what_does_not_fit() {
        let image = build("cidata", &[("a", &[1u8; 100])]).unwrap();
        let sectors = u16::from_le_bytes([image[19], image[20]]) as usize;
        assert_eq!(sectors * 512, image.len());
        assert_eq!(&image[54..62], b"FAT12   ");
        let huge = vec![0u8; 9 * 1024 * 1024];
        assert_eq!(build("cidata", &[("a", &huge)]), Err(FatError::TooLarge));
        assert_eq!(
            build("cidata", &[("a/b", b"")]),
            Err(FatError::BadName("a/b".into()))
        );
    }

    #[test]
    fn the_long_name_checksum_matches_the_short_name() {
        let short = short_name("meta-data", 0);
        assert_eq!(&short, b"METADA~1   ");
        let entries = lfn("meta-data", &short);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0][0], 0x41);
        assert_eq!(entries[0][13], checksum(&short));
    }
}
