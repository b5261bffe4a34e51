# Converting huge ints to and from decimal strings is capped at 4300 digits by default (CVE-2020-10735).
import sys

print(sys.get_int_max_str_digits(), sys.int_info.default_max_str_digits, sys.int_info.str_digits_check_threshold)
big = 10 ** 5000
print(len(hex(big)), big.bit_length())
for action in (lambda: str(big), lambda: int("7" * 5000), lambda: f"{big}"):
    try:
        action()
        print("converted")
    except ValueError:
        print("ValueError")
print(len(str(10 ** 4299)), int("9" * 4300) % 1000)
sys.set_int_max_str_digits(6000)
print(len(str(big)), sys.get_int_max_str_digits())
sys.set_int_max_str_digits(0)
print(len(str(10 ** 20000)))
try:
    sys.set_int_max_str_digits(100)
except ValueError:
    print("ValueError: below the threshold")
