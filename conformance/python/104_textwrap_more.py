# textwrap: fill with indents, shorten, dedent/indent, and long words.
import textwrap

text = "The quick brown fox jumps over the lazy dog and keeps running through the forest."
print(textwrap.fill(text, width=30, initial_indent="* ", subsequent_indent="  "))
print(textwrap.wrap(text, 25))
print(textwrap.shorten(text, width=40, placeholder=" [...]"))
print(textwrap.wrap("supercalifragilisticexpialidocious word", 10))
print(textwrap.wrap("supercalifragilisticexpialidocious word", 10, break_long_words=False))
block = """
    def f():
        return 1
"""
print(repr(textwrap.dedent(block)))
print(textwrap.indent("a\n\nb\n", "> "), end="")
print(textwrap.indent("a\n\nb\n", "+ ", lambda line: True), end="")
print(textwrap.fill("tabs\there and  spaces", width=12, expand_tabs=True, tabsize=4))
print(textwrap.TextWrapper(width=12, max_lines=2, placeholder="…").fill(text))
