from archive.cli.app import main

if __name__ == "__main__":  # not when a spawned process (the background indexer) imports it
    main()
