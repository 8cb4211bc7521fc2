-- ikidil: parse many Markdown texts in one Pandoc process (see ikidil/pandoc.py,
-- read_markdown_many). Starting Pandoc costs more than parsing a chapter.
--
-- Input (stdin): JSON {"format": "<reader+extensions>", "texts": ["...", ...]}.
-- Each text is parsed on its own by pandoc.read with the command line's reader
-- options, exactly as `pandoc -f <format> -t json` parses it alone: its own notes,
-- its own header identifiers, line numbers counted from its own first line.
-- Output: one line per text, "<messages Pandoc logged while reading it>\t<its JSON AST>".

function Reader(input, opts)
  local request = pandoc.json.decode(tostring(input), false)
  local blocks = pandoc.Blocks {}
  for _, text in ipairs(request.texts) do
    local logged = #PANDOC_STATE.log
    local json = pandoc.write(pandoc.read(text, request.format, opts), "json")
    logged = #PANDOC_STATE.log - logged
    blocks:insert(pandoc.RawBlock("ikidil-ast", logged .. "\t" .. json))
  end
  return pandoc.Pandoc(blocks)
end

-- Pandoc's JSON never holds a raw newline, so one line per text is unambiguous.
function Writer(doc)
  local lines = {}
  for _, block in ipairs(doc.blocks) do
    lines[#lines + 1] = block.text
  end
  return table.concat(lines, "\n") .. "\n"
end
