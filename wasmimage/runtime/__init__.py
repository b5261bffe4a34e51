"""The run half: what an evaluator needs to run images, and nothing of the build pipeline.

  image.py          open an image directory and check it (manifest, digests, names)
  manifest.py       the stdlib check of image.json against wasmimage/schemas/image.schema.json
  run_spec.py       the image's `run` section as a record: argv, script name, mounts
  engine.py         the one wasmtime engine configuration; loading a .cwasm made for it
  native.py         which native code may be loaded (the trust store) and compiling the rest here
  signatures.py     checking image.json.sig against $WASMIMAGE_TRUSTED_KEYS
  epoch.py          the epoch ticker behind wall-clock deadlines
  runner.py         running a script in an image, with its limits: run_program, run; its rooms:
    limits.py         Limits and the outcomes a call ends with
    program.py        an image's interpreter, deserialized once (load_program)
    script_dirs.py    the script as a file in a read-only /script directory of its own
    guest_threads.py  the threads guest code runs on, and what each links
    deadline.py       the wall-clock deadline in wasm (epochs) and in WASI's one wait
    snapshot_call.py  a call through a snapshot's ABI
    outputs.py        capped output streams and RunResult
  protocol.py       the function-call protocol (an image's executor)
  wikifunctions.py  the Wikifunctions protocol (Z7 in, Z22 out)
  snapshot_abi.py   the exports of a pre-initialized snapshot the runner calls

Modules here import only the standard library, wasmtime and the foundations (wasmimage.errors,
log, retry, files, digests, settings); `pip install wasmimage` (no extra) is all they need. Importing this
package loads none of them: import the module you use, or call `wasmimage.run` / `wasmimage.call`.
"""
