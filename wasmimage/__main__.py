from wasmimage.cli import main

raise SystemExit(main())
