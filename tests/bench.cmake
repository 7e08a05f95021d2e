# The benchmarks are run by hand (bench/README.md), but one that no longer
# starts is found here: the boot storm, ten machines against kea-netboot only.
netboot_script_test(bench.storm.starts
  COMMAND python3 ${PROJECT_SOURCE_DIR}/bench/storm/storm.py --n 10 --stacks kea-netboot --kernel-mb 1
          --initrd-mb 1 --spread 1 --timeout 60
  LABELS integration TIMEOUT 240)
