// sealing module: see issue 3
