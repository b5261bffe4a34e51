//! RustPython as a WASI reactor with the snapshot ABI (wasmimage/runtime/snapshot_abi.py,
//! docs/snapshot.md), built from the same crates and features as the `rustpython` command.
//!
//! `wasmimage_init` makes the interpreter once, at image build time, the way the command's
//! `rustpython::run` does before it runs a script (settings from `parse_opts`, the frozen
//! standard library, `warnings` and `site` imported), and `wasmimage_preload` runs the top level
//! of each protocol executor. Every call then starts from a copy of that memory and does what
//! `rustpython /script/main.py ARGS` does from there, with the call's own arguments,
//! environment and directories (read here, per call, never at init): a fresh `__main__`, the
//! script (or a preloaded executor's `main()`), then what the command does at exit: an uncaught
//! exception printed or `SystemExit`'s code taken, `atexit` handlers, the streams flushed (the
//! instance then ends, so the interpreter is not torn down). Output goes to the WASI streams, as
//! in the command; the ABI's captures stay empty.
//!
//! The per-call Python half is wasmimage_snapshot.py, compiled in here.
#![no_main]

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::io::{Read, Seek, SeekFrom};
use std::os::wasi::ffi::OsStrExt;

use rustpython::vm::builtins::PyDictRef;
use rustpython::vm::compiler::Mode;
use rustpython::vm::convert::TryFromObject;
use rustpython::vm::scope::Scope;
use rustpython::vm::stdlib::sys;
use rustpython::vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use rustpython::{Interpreter, InterpreterBuilder, InterpreterBuilderExt};

const CAPTURES_SIZE: usize = 32; // the ABI's two capture headers, which this image leaves empty
const FIRST_PREOPEN: u32 = 3;
const PRELOAD_NAME: &str = "__wasmimage_preload__"; // so an `if __name__ == "__main__"` guard stays shut
const PER_CALL_SOURCE: &str = include_str!("wasmimage_snapshot.py");

/// What init made: the interpreter, the per-call `prepare`, the executors' `main`s.
struct Snapshot {
    interpreter: Interpreter,
    prepare: PyObjectRef,
    preloaded: Vec<(String, PyObjectRef)>, // (file name, main)
    preopens_end: u32,                     // the first descriptor after the image's mounts at init
}

thread_local! {
    static SNAPSHOT: RefCell<Option<Snapshot>> = const { RefCell::new(None) };
}

unsafe extern "C" {
    fn __wasi_fd_fdstat_get(fd: u32, stat: *mut [u64; 3]) -> u16;
    fn __wasi_fd_prestat_get(fd: u32, prestat: *mut [u32; 2]) -> u16;
    fn __wasi_fd_prestat_dir_name(fd: u32, path: *mut u8, length: usize) -> u16;
    fn __wasilibc_register_preopened_fd(fd: i32, prefix: *const c_char) -> i32;
    fn __wasilibc_deinitialize_environ();
    fn __wasilibc_initialize_environ();
}

fn fail(what: &str) -> ! {
    // init runs at build time only: a trap there fails the snapshot stage, which shows this
    eprintln!("wasmimage_init: {what}");
    std::process::abort()
}

fn first_free_descriptor() -> u32 {
    let mut stat = [0u64; 3];
    let mut fd = FIRST_PREOPEN;
    while unsafe { __wasi_fd_fdstat_get(fd, &mut stat) } == 0 {
        fd += 1;
    }
    fd
}

#[unsafe(no_mangle)]
pub extern "C" fn wasmimage_init() {
    // The command's settings for no arguments and no environment (init sees neither); str
    // hashes are fixed by the snapshot anyway, so say so instead of seeding from zero "entropy".
    let (mut settings, _) = rustpython::parse_opts().unwrap_or_else(|e| fail(&e.to_string()));
    settings.hash_seed = Some(0);
    let interpreter = InterpreterBuilder::new().init_stdlib().settings(settings).interpreter();
    let prepare = interpreter.enter(|vm| {
        let booted = (|| -> PyResult {
            // What rustpython::run imports before the script, and what running a file imports
            vm.import("warnings", 0)?;
            vm.import("site", 0)?;
            vm.import("importlib.machinery", 0)?;
            let scope = vm.new_scope_with_builtins();
            let code = vm
                .compile(PER_CALL_SOURCE, Mode::Exec, "<wasmimage_snapshot>")
                .map_err(|err| err.into_pyexception(vm, Some(PER_CALL_SOURCE)))?;
            vm.run_code_obj(code, scope.clone())?;
            scope.globals.get_item("prepare", vm)
        })();
        booted.unwrap_or_else(|exc| {
            vm.print_exception(&exc);
            fail("cannot start the interpreter")
        })
    });
    let preopens_end = first_free_descriptor();
    SNAPSHOT.with(|s| *s.borrow_mut() = Some(Snapshot { interpreter, prepare, preloaded: Vec::new(), preopens_end }));
}

#[unsafe(no_mangle)]
pub extern "C" fn wasmimage_alloc(size: usize) -> *mut u8 {
    match std::alloc::Layout::from_size_align(size.max(1), 8) {
        Ok(layout) => unsafe { std::alloc::alloc(layout) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// The ABI's call buffer: the captures, the file name, NUL, the source, NUL.
unsafe fn decode_call(call: *const u8, filename_len: usize, source_len: usize) -> (String, String) {
    let name = unsafe { std::slice::from_raw_parts(call.add(CAPTURES_SIZE), filename_len) };
    let source = unsafe { std::slice::from_raw_parts(call.add(CAPTURES_SIZE + filename_len + 1), source_len) };
    (String::from_utf8_lossy(name).into_owned(), String::from_utf8_lossy(source).into_owned())
}

/// Build time, after init: run an executor's top level once and keep its `main`; its slot, or -1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmimage_preload(call: *const u8, filename_len: usize, source_len: usize) -> i32 {
    let (filename, source) = unsafe { decode_call(call, filename_len, source_len) };
    SNAPSHOT.with(|s| {
        let mut guard = s.borrow_mut();
        let snapshot = guard.as_mut().unwrap_or_else(|| fail("wasmimage_preload before wasmimage_init"));
        let main = snapshot.interpreter.enter(|vm| {
            let loaded = (|| -> PyResult<Option<PyObjectRef>> {
                let scope = vm.new_scope_with_builtins();
                scope.globals.set_item("__name__", vm.new_pyobj(PRELOAD_NAME), vm)?;
                scope.globals.set_item("__file__", vm.new_pyobj(filename.as_str()), vm)?;
                let code = vm
                    .compile(&source, Mode::Exec, filename.as_str())
                    .map_err(|err| err.into_pyexception(vm, Some(&source)))?;
                vm.run_code_obj(code, scope.clone())?;
                Ok(scope.globals.get_item_opt("main", vm)?.filter(|main| main.is_callable()))
            })();
            loaded.unwrap_or_else(|exc| {
                vm.print_exception(&exc);
                None
            })
        });
        match main {
            Some(main) => {
                snapshot.preloaded.push((filename, main));
                snapshot.preloaded.len() as i32 - 1
            }
            None => {
                eprintln!("wasmimage_preload: {filename} defines no callable main");
                -1
            }
        }
    })
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasmimage_run(call: *const u8, filename_len: usize, source_len: usize) -> i32 {
    // The script runs from its file, as the command reads it (the runner writes it to /script
    // on both paths): encoding declarations, null bytes and __loader__ are the command's own.
    let (filename, _) = unsafe { decode_call(call, filename_len, source_len) };
    run_call(|vm, scope| run_file(vm, scope, &filename))
}

#[unsafe(no_mangle)]
pub extern "C" fn wasmimage_run_preloaded(_call: *const u8, slot: i32) -> i32 {
    let preloaded = SNAPSHOT.with(|s| s.borrow().as_ref().and_then(|s| s.preloaded.get(slot as usize).cloned()));
    let Some((filename, main)) = preloaded else {
        eprintln!("wasmimage_run_preloaded: no executor in slot {slot}");
        return 1;
    };
    run_call(move |vm, scope| {
        vm.insert_sys_path(vm.new_pyobj(script_sys_path0(&filename)))?;
        scope.globals.set_item("__file__", vm.new_pyobj(filename.as_str()), vm)?;
        scope.globals.set_item("__cached__", vm.ctx.none(), vm)?;
        main.call((), vm).map(drop)
    })
}

/// One call: what the command does with the call's inputs, `run` in a fresh `__main__`, then
/// what it does at exit (`finish`); the exit code as the command's process gives it.
fn run_call(run: impl FnOnce(&VirtualMachine, Scope) -> PyResult<()>) -> i32 {
    let Some(snapshot) = SNAPSHOT.with(|s| s.borrow_mut().take()) else {
        eprintln!("wasmimage: this instance has run its call already");
        return 1;
    };
    register_granted_directories(snapshot.preopens_end);
    unsafe {
        // libc read an empty environment at init: read the call's
        __wasilibc_deinitialize_environ();
        __wasilibc_initialize_environ();
    }
    if let Ok(pwd) = std::env::var("PWD") {
        let _ = std::env::set_current_dir(pwd); // rustpython::run does this on WASI
    }
    let Snapshot { interpreter, prepare, preloaded, .. } = snapshot;
    let (result, main) = interpreter.enter(|vm| {
        let prepared = (|| {
            let argv: Vec<PyObjectRef> =
                std::env::args_os().map(|arg| vm.new_pyobj(arg.to_string_lossy().into_owned())).collect();
            let environ: Vec<PyObjectRef> = std::env::vars_os()
                .map(|(name, value)| {
                    let pair = [name.as_bytes(), value.as_bytes()].map(|part| vm.ctx.new_bytes(part.to_vec()).into());
                    vm.ctx.new_tuple(pair.to_vec()).into()
                })
                .collect();
            let (argv, environ): (PyObjectRef, PyObjectRef) =
                (vm.ctx.new_list(argv).into(), vm.ctx.new_list(environ).into());
            prepare.call((argv, environ), vm)?;
            vm.new_scope_with_main()
        })();
        match prepared {
            Ok(main) => (run(vm, main.clone()), Some(main)),
            Err(exc) => (Err(exc), None),
        }
    });
    let code = interpreter.enter(|vm| finish(vm, result, main));
    std::mem::forget((interpreter, prepare, preloaded)); // the instance ends here: freeing would only cost time
    code as u8 as i32 // what the command's process exits with
}

/// What `Interpreter::finalize` does at the command's exit, short of tearing the interpreter
/// down (its GC pass and module finalization cost 35 M fuel, 40 times a call's work): the
/// streams flushed, an uncaught exception printed or `SystemExit` taken, `atexit` handlers, the
/// script's own globals cleared (their finalizers run as at exit), the streams flushed again.
fn finish(vm: &VirtualMachine, result: PyResult<()>, main: Option<Scope>) -> u32 {
    let mut flushed = flush_std(vm);
    let exit_code = result.map_or_else(|exc| vm.handle_exit_exception(exc), |()| 0);
    rustpython::vm::stdlib::atexit::_run_exitfuncs(vm);
    if let Some(main) = main {
        main.globals.clear();
    }
    if flush_std(vm) < 0 {
        flushed = -1;
    }
    if exit_code == 0 && flushed < 0 { 120 } else { exit_code } // as the command when stdout cannot flush
}

/// rustpython-vm's `flush_std`: -1 if sys.stdout would not flush (reported as unraisable).
fn flush_std(vm: &VirtualMachine) -> i32 {
    let is_open = |file: &PyObjectRef| {
        !vm.is_none(file) && !file.get_attr("closed", vm).is_ok_and(|closed| closed.try_to_bool(vm).unwrap_or_default())
    };
    let mut status = 0;
    if let Ok(stdout) = sys::get_stdout(vm)
        && is_open(&stdout)
        && let Err(e) = vm.call_method(&stdout, "flush", ())
    {
        vm.run_unraisable(e, None, stdout);
        status = -1;
    }
    if let Ok(stderr) = sys::get_stderr(vm)
        && is_open(&stderr)
    {
        let _ = vm.call_method(&stderr, "flush", ());
    }
    status
}

/// Directories the caller granted for this call come after the image's mounts: tell libc.
fn register_granted_directories(first: u32) {
    for fd in first.. {
        let mut prestat = [0u32; 2]; // tag (0: a directory), name length
        if unsafe { __wasi_fd_prestat_get(fd, &mut prestat) } != 0 || prestat[0] & 0xff != 0 {
            return;
        }
        let mut name = vec![0u8; prestat[1] as usize];
        if unsafe { __wasi_fd_prestat_dir_name(fd, name.as_mut_ptr(), name.len()) } == 0
            && let Ok(name) = CString::new(name)
        {
            unsafe { __wasilibc_register_preopened_fd(fd as i32, name.as_ptr()) };
        }
    }
}

/// rustpython's `run_file` (pymain_run_file_obj) for an absolute script path.
fn run_file(vm: &VirtualMachine, scope: Scope, path: &str) -> PyResult<()> {
    if may_be_zip_archive(path) && get_importer(path, vm)?.is_some() {
        // a zip archive with a __main__.py, run as the command would
        vm.insert_sys_path(vm.new_pyobj(path))?;
        let runpy = vm.import("runpy", 0)?;
        let run_module_as_main = runpy.get_attr("_run_module_as_main", vm)?;
        run_module_as_main.call((vm.ctx.new_str("__main__"), false), vm)?;
        return Ok(());
    }
    vm.insert_sys_path(vm.new_pyobj(script_sys_path0(path)))?;
    vm.run_any_file(scope, path)
}

/// Whether zipimport could take the file: its end-of-central-directory record is in its last
/// 64 KiB + 22 bytes, where zipimport looks. For a script without one (nearly every script) the
/// default path hooks all refuse it, which get_importer learns in 0.5 M fuel of Python.
fn may_be_zip_archive(path: &str) -> bool {
    const END_CENTRAL_DIR: &[u8] = b"PK\x05\x06";
    const TAIL: u64 = 65535 + 22; // MAX_COMMENT_LEN + END_CENTRAL_DIR_SIZE in zipimport.py
    let Ok(mut file) = std::fs::File::open(path) else {
        return true; // get_importer decides
    };
    let mut tail = Vec::new();
    let start = file.metadata().map_or(0, |m| m.len().saturating_sub(TAIL));
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut tail).is_err() {
        return true;
    }
    tail.windows(END_CENTRAL_DIR.len()).any(|window| window == END_CENTRAL_DIR)
}

/// rustpython's `script_sys_path0`: the directory holding the script, symlinks resolved.
fn script_sys_path0(argv0: &str) -> String {
    let resolved = std::fs::canonicalize(argv0).ok().and_then(|p| p.into_os_string().into_string().ok());
    let path0 = resolved.as_deref().unwrap_or(argv0);
    match path0.rfind('/') {
        None => String::new(),
        Some(0) => "/".to_owned(),
        Some(sep) => path0[..sep].to_owned(),
    }
}

/// rustpython's `get_importer`: the path hook that takes `path`, if one does.
fn get_importer(path: &str, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
    let cache = PyDictRef::try_from_object(vm, vm.sys_module.get_attr("path_importer_cache", vm)?)?;
    if let Some(importer) = cache.get_item_opt(path, vm)? {
        return Ok(Some(importer));
    }
    let path_obj = vm.ctx.new_str(path);
    let hooks: Vec<PyObjectRef> = vm.sys_module.get_attr("path_hooks", vm)?.try_into_value(vm)?;
    for hook in hooks {
        match hook.call((path_obj.clone(),), vm) {
            Ok(importer) => {
                let importer = cache.get_or_insert(vm, path_obj.as_object(), || importer.clone())?;
                return Ok(Some(importer));
            }
            Err(e) if e.fast_isinstance(vm.ctx.exceptions.import_error) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}
