_texts[{{index}}] as r_{{column}}
