from partages.cli.app import main

main()
