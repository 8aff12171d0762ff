"""@takes_gamma(...) def f -> def f ... ; f = takes_gamma(...)(f)  (same module at run time)."""
import ast, sys
for path in sys.argv[1:]:
    src = open(path).read(); lines = src.splitlines(keepends=True)
    edits = []
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                if isinstance(dec, ast.Call) and getattr(dec.func, "id", None) == "takes_gamma":
                    assert dec.lineno == dec.end_lineno and node.col_offset == 0
                    edits.append((dec.lineno, node.end_lineno, node.name, ast.get_source_segment(src, dec)))
    for dl, end, name, dsrc in sorted(edits, reverse=True):
        lines.insert(end, f"{name} = {dsrc}({name})\n")
        assert lines[dl - 1].strip() == "@" + dsrc
        del lines[dl - 1]
    open(path, "w").write("".join(lines)); print(path, len(edits))
