import sys

from netboot_stack.cli import main

sys.exit(main(sys.argv[1:]))
