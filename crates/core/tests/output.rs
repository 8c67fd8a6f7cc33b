//! The output writer on real folders: names, numbered suffixes, concurrency, no temp files
//! left behind, the input never touched, pattern validation.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use signstash_core::output::{NamePattern, OutputDir, OutputError, OutputWriter};

fn input(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, b"%PDF-1.7 original").expect("write input");
    p
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn no_temp_files(dir: &Path) {
    let temps: Vec<String> = names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(temps.is_empty(), "temp files left: {temps:?}");
}

#[test]
fn default_and_custom_names_come_from_the_local_input_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    let w = OutputWriter::into_folder(&out);
    let p = w.output_path_for(Path::new("/somewhere/else/FT 2026-1.pdf"));
    assert_eq!(p, out.join("FT 2026-1_signed.pdf"));
    assert_eq!(
        w.output_path_for(Path::new("fatura.xml")),
        out.join("fatura_signed.xml")
    );
    // No extension: no dangling dot.
    assert_eq!(
        w.output_path_for(Path::new("fatura")),
        out.join("fatura_signed")
    );

    let custom = OutputWriter::new(
        OutputDir::Fixed(out.clone()),
        NamePattern::new("assinado-{stem}.{ext}").expect("valid"),
    );
    assert_eq!(
        custom.output_path_for(Path::new("a.pdf")),
        out.join("assinado-a.pdf")
    );
    let by_name = OutputWriter::new(
        OutputDir::Fixed(out.clone()),
        NamePattern::new("signed - {name}").expect("valid"),
    );
    let src = input(tmp.path(), "b.pdf");
    let written = by_name.write(&src, b"signed").expect("write");
    assert_eq!(written, out.join("signed - b.pdf"));
    assert_eq!(fs::read(&written).expect("read"), b"signed");
    no_temp_files(&out);
}

#[test]
fn never_overwrites_and_numbers_the_copies() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = input(tmp.path(), "fatura.pdf");
    let out = tmp.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    let w = OutputWriter::into_folder(&out);
    let first = w.write(&src, b"one").expect("1");
    let second = w.write(&src, b"two").expect("2");
    let third = w.write(&src, b"three").expect("3");
    assert_eq!(first, out.join("fatura_signed.pdf"));
    assert_eq!(second, out.join("fatura_signed (2).pdf"));
    assert_eq!(third, out.join("fatura_signed (3).pdf"));
    assert_eq!(fs::read(&first).expect("r"), b"one");
    assert_eq!(fs::read(&second).expect("r"), b"two");
    assert_eq!(fs::read(&third).expect("r"), b"three");
    // A user's unrelated file with the target name survives too.
    let other_src = input(tmp.path(), "nota.pdf");
    fs::write(out.join("nota_signed.pdf"), b"user's own file").expect("w");
    let p = w.write(&other_src, b"signed").expect("w");
    assert_eq!(p, out.join("nota_signed (2).pdf"));
    assert_eq!(
        fs::read(out.join("nota_signed.pdf")).expect("r"),
        b"user's own file"
    );
    no_temp_files(&out);
}

#[test]
fn concurrent_writers_to_the_same_name_all_get_distinct_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = input(tmp.path(), "fatura.pdf");
    let out = tmp.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    let w = Arc::new(OutputWriter::into_folder(&out));
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (w, barrier, src) = (Arc::clone(&w), Arc::clone(&barrier), src.clone());
            std::thread::spawn(move || {
                let body = format!("document {i}").repeat(10_000);
                barrier.wait();
                let p = w.write(&src, body.as_bytes()).expect("write");
                (p, body)
            })
        })
        .collect();
    let mut paths = Vec::new();
    for h in handles {
        let (p, body) = h.join().expect("thread");
        assert_eq!(fs::read(&p).expect("read"), body.as_bytes(), "{p:?} intact");
        paths.push(p);
    }
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 8, "distinct files: {paths:?}");
    assert_eq!(names(&out).len(), 8);
    no_temp_files(&out);
}

#[test]
fn input_is_never_modified_nor_used_as_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = input(tmp.path(), "fatura.pdf");
    let before = fs::read(&src).expect("r");
    let mtime = fs::metadata(&src).expect("m").modified().expect("mtime");
    let same = OutputWriter::new(
        OutputDir::Fixed(tmp.path().to_path_buf()),
        NamePattern::new("{name}").expect("valid"),
    );
    let e = same.write(&src, b"signed").expect_err("same as input");
    assert!(matches!(e, OutputError::SameAsInput(_)), "{e}");
    assert_eq!(e.code(), "output.same_as_input");
    // Through a different spelling of the same folder too.
    let dotted = OutputWriter::new(
        OutputDir::Fixed(tmp.path().join(".")),
        NamePattern::new("{name}").expect("valid"),
    );
    assert!(matches!(
        dotted.write(&src, b"signed"),
        Err(OutputError::SameAsInput(_))
    ));
    // Output beside it with the default pattern leaves it alone as well.
    OutputWriter::into_folder(tmp.path())
        .write(&src, b"signed")
        .expect("w");
    assert_eq!(fs::read(&src).expect("r"), before);
    assert_eq!(fs::metadata(&src).expect("m").modified().expect("t"), mtime);
    no_temp_files(tmp.path());
}

#[test]
fn signed_folder_beside_each_original() {
    let tmp = tempfile::tempdir().expect("tmp");
    let a = tmp.path().join("clientes/a");
    let b = tmp.path().join("clientes/b");
    fs::create_dir_all(&a).expect("mkdir");
    fs::create_dir_all(&b).expect("mkdir");
    let w = OutputWriter::beside();
    let pa = w.write(&input(&a, "1.pdf"), b"x").expect("a");
    let pb = w.write(&input(&b, "2.xml"), b"y").expect("b");
    assert_eq!(pa, a.join("Signed/1_signed.pdf"));
    assert_eq!(pb, b.join("Signed/2_signed.xml"));
    // Existing Signed folder is reused.
    let pa2 = w.write(&a.join("1.pdf"), b"z").expect("again");
    assert_eq!(pa2, a.join("Signed/1_signed (2).pdf"));
    no_temp_files(&a.join("Signed"));
}

#[test]
fn folder_errors_are_plain_and_leave_nothing_behind() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = input(tmp.path(), "fatura.pdf");
    let missing = OutputWriter::into_folder(tmp.path().join("not-there"));
    let e = missing.write(&src, b"x").expect_err("missing");
    assert_eq!(e.code(), "output.folder_missing");
    assert!(e.to_string().contains("does not exist"), "{e}");

    let e = OutputWriter::into_folder(&src)
        .write(&src, b"x")
        .expect_err("file as folder");
    assert_eq!(e.code(), "output.not_a_folder");

    // Read-only folder (skipped when running as root, who can write anyway).
    let ro = tmp.path().join("ro");
    fs::create_dir(&ro).expect("mkdir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).expect("chmod");
        let probe = ro.join("probe");
        if fs::write(&probe, b"").is_err() {
            let e = OutputWriter::into_folder(&ro)
                .write(&src, b"x")
                .expect_err("read-only");
            assert_eq!(e.code(), "output.not_writable", "{e}");
        } else {
            let _ = fs::remove_file(&probe);
        }
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    no_temp_files(&ro);

    // Every candidate name taken: an error after the temp file was written.
    let full = tmp.path().join("full");
    fs::create_dir(&full).expect("mkdir");
    fs::write(full.join("fatura_signed.pdf"), b"").expect("w");
    for n in 2..=9999 {
        fs::write(full.join(format!("fatura_signed ({n}).pdf")), b"").expect("w");
    }
    let e = OutputWriter::into_folder(&full)
        .write(&src, b"x")
        .expect_err("no free name");
    assert_eq!(e.code(), "output.no_free_name");
    no_temp_files(&full);
    no_temp_files(tmp.path());
}

#[test]
fn name_patterns_are_validated() {
    for bad in [
        "",
        "   ",
        "../{name}",
        "{stem}/x.{ext}",
        "{stem}\\x",
        "{stem}..{ext}",
        "{stem}\0.{ext}",
        "{stem}:{ext}",
        "{stem}_{foo}.{ext}",
        "{stem",
        "stem}",
        "signed.pdf",
        "{ext}",
    ] {
        let e = NamePattern::new(bad).expect_err(bad);
        assert_eq!(e.code(), "output.invalid_pattern", "{bad:?}");
    }
    for good in [
        "{stem}_signed.{ext}",
        "{name}.assinado",
        "{stem} (assinado).{ext}",
        "{stem}",
    ] {
        assert_eq!(NamePattern::new(good).expect(good).as_str(), good);
    }
    assert_eq!(NamePattern::default().as_str(), NamePattern::DEFAULT);
    assert_eq!(
        NamePattern::default(),
        NamePattern::new(NamePattern::DEFAULT).expect("default")
    );
}

#[test]
fn staged_documents_are_named_in_turn_and_an_unnamed_one_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = input(tmp.path(), "fatura.pdf");
    let out = tmp.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    let w = OutputWriter::into_folder(&out);
    let first = w.stage(&src, b"one").expect("stage 1");
    let dropped = w.stage(&src, b"two").expect("stage 2");
    let third = w.stage(&src, b"three").expect("stage 3");
    // Nothing has a final name until it is named; on Linux, no name at all.
    assert!(names(&out).iter().all(|n| n.ends_with(".tmp")));
    #[cfg(target_os = "linux")]
    assert!(names(&out).is_empty(), "{:?}", names(&out));
    drop(dropped);
    let a = w.name(first).expect("name 1");
    let b = w.name(third).expect("name 3");
    assert_eq!(a, out.join("fatura_signed.pdf"));
    assert_eq!(b, out.join("fatura_signed (2).pdf"));
    assert_eq!(fs::read(&a).expect("a"), b"one");
    assert_eq!(fs::read(&b).expect("b"), b"three");
    assert_eq!(names(&out), ["fatura_signed (2).pdf", "fatura_signed.pdf"]);
    no_temp_files(&out);
    assert_eq!(fs::read(&src).expect("input"), b"%PDF-1.7 original");
}

/// A process killed between writing a document and naming it (no destructor runs) leaves no
/// file behind, not even a temporary one: on Linux the staged file has no name.
#[cfg(target_os = "linux")]
#[test]
fn a_document_never_named_leaves_no_file_even_without_cleanup() {
    let tmp = tempfile::tempdir().expect("tmp");
    let src = input(tmp.path(), "fatura.pdf");
    let out = tmp.path().join("out");
    fs::create_dir(&out).expect("mkdir");
    let w = OutputWriter::into_folder(&out);
    let staged = w.stage(&src, b"signed").expect("stage");
    // As if killed here: its destructor (which removes a named temporary file) never runs.
    std::mem::forget(staged);
    assert!(names(&out).is_empty(), "{:?}", names(&out));
    // The next document still gets the first name.
    let next = w.stage(&src, b"again").expect("stage");
    assert_eq!(w.name(next).expect("name"), out.join("fatura_signed.pdf"));
}

/// How many of the file's pages are in the page cache (Linux `mincore`).
#[cfg(target_os = "linux")]
fn cached_pages(path: &Path) -> usize {
    use std::os::fd::AsRawFd;
    let file = fs::File::open(path).expect("open");
    let len = file.metadata().expect("metadata").len() as usize;
    let page = 4096;
    let mut resident = vec![0u8; len.div_ceil(page)];
    // SAFETY: a read-only shared mapping of an open file, unmapped before returning; mincore only
    // writes one byte per page into `resident`, which has that many. Mapping faults nothing in.
    unsafe {
        let map = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        );
        assert_ne!(map, libc::MAP_FAILED, "mmap");
        assert_eq!(libc::mincore(map, len, resident.as_mut_ptr()), 0, "mincore");
        libc::munmap(map, len);
    }
    resident.iter().filter(|r| *r & 1 == 1).count()
}

#[cfg(target_os = "linux")]
#[test]
fn a_saved_document_does_not_stay_in_the_page_cache() {
    // Under the target folder: /tmp may be tmpfs, whose pages are the file itself.
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tmp");
    let src = tmp.path().join("fatura.pdf");
    let bytes = vec![b'x'; 64 * 4096];
    fs::write(&src, &bytes).expect("write input");
    // The control: a file written the ordinary way stays cached, so the measure works here.
    assert!(cached_pages(&src) > 0, "written pages are cached here");
    let out = OutputWriter::into_folder(tmp.path())
        .write(&src, &bytes)
        .expect("write");
    assert_eq!(
        cached_pages(&out),
        0,
        "the saved output left the page cache"
    );
    assert_eq!(fs::read(&out).expect("read back"), bytes);
}
