from bench_serve.cli import main

raise SystemExit(main())
