# Read after CPython's own Makefile (make -f Makefile -f reactor.mk python-reactor.wasm
# WASMIMAGE_SNAPSHOT_C=...): python.wasm's objects, libraries and flags, linked as a WASI
# reactor with snapshot.c's entry points instead of Programs/python.o's main().
python-reactor.wasm: Modules/wasmimage_snapshot.o $(LINK_PYTHON_DEPS)
	$(LINKCC) $(PY_CORE_LDFLAGS) $(LINKFORSHARED) -mexec-model=reactor -o $@ Modules/wasmimage_snapshot.o \
		$(LINK_PYTHON_OBJS) $(LIBS) $(MODLIBS) $(SYSLIBS)

Modules/wasmimage_snapshot.o: $(WASMIMAGE_SNAPSHOT_C)
	$(CC) -c $(PY_CORE_CFLAGS) -o $@ $<
