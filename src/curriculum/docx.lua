-- Editable .docx copies of print pages, many in one pandoc process: `pandoc lua docx.lua`.
-- Starting pandoc costs more than converting a handout, so the print stage sends
-- a batch of pages to one process (curriculum.printing).
-- Standard input: one page per line, "source<TAB>target<TAB>epoch".
-- Each file is what `SOURCE_DATE_EPOCH=epoch pandoc -f html -t docx source -o target`
-- writes, except that images are found beside the page, as a browser finds them.
-- Standard output: "target<TAB>error" for each page that could not be converted;
-- the others are written, whatever happens to them.
for line in io.lines() do
  local source, target, epoch = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
  local ok, problem = pcall(function()
    assert(source, "not a source, target and epoch: " .. line)
    local page = assert(io.open(source, "rb"))
    local html = page:read("a")
    page:close()
    local document = pandoc.system.with_environment({ SOURCE_DATE_EPOCH = epoch }, function()
      return pandoc.system.with_working_directory(pandoc.path.directory(source), function()
        return pandoc.write(pandoc.read(html, "html"), "docx")
      end)
    end)
    local output = assert(io.open(target, "wb"))
    output:write(document)
    output:close()
  end)
  if not ok then
    io.stdout:write(target or line, "\t", (tostring(problem):gsub("%s+", " ")), "\n")
  end
end
