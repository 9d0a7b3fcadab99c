from fluxops.cli.main import main

main()
