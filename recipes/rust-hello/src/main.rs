//! A tiny line-oriented "interpreter" used as a wasm32-wasip1 build fixture.
//! Script: argv[1], or stdin when absent or "-". One command per line.
use std::io::{self, Read, Write};
use std::{env, fs, process};

fn main() {
    let path = env::args().nth(1).unwrap_or_else(|| "-".to_string());
    let mut script = String::new();
    if path == "-" {
        io::stdin().read_to_string(&mut script).expect("read stdin");
    } else if let Err(e) = fs::read_to_string(&path).map(|s| script = s) {
        eprintln!("cannot read {path}: {:?}", e.kind());
        process::exit(1);
    }
    let mut out = io::stdout().lock();
    for line in script.lines() {
        let (cmd, arg) = line.split_once(' ').unwrap_or((line, ""));
        match cmd {
            "" => {}
            "print" => writeln!(out, "{arg}").unwrap(),
            "exit" => {
                out.flush().unwrap();
                process::exit(arg.trim().parse().unwrap_or(1));
            }
            "stdin" => {
                let mut buf = Vec::new();
                io::stdin().read_to_end(&mut buf).expect("read stdin");
                out.write_all(&buf).unwrap();
            }
            "env" => match env::var(arg) {
                Ok(v) => writeln!(out, "{v}").unwrap(),
                Err(_) => writeln!(out, "<unset>").unwrap(),
            },
            "read" => match fs::read_to_string(arg) {
                Ok(s) => write!(out, "{s}").unwrap(),
                Err(e) => writeln!(out, "error: {:?}", e.kind()).unwrap(),
            },
            "panic" => {
                out.flush().unwrap();
                panic!("panic requested by script");
            }
            other => {
                out.flush().unwrap();
                eprintln!("unknown command: {other}");
                process::exit(2);
            }
        }
    }
}
