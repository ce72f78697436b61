import { relative, resolve } from 'node:path'
import type { Command } from 'commander'
import { type CliIo, examples, say } from './context.js'

/** `dsta-db new <name>`: Django's `makemigrations --name`, as an empty pair of SQL files to fill in. */
export function newCommand(program: Command, io: CliIo): void {
  program
    .command('new')
    .description('create the next NNNN_<name>.up.sql / .down.sql pair (Django: makemigrations --name)')
    .argument('<name>', 'lower-case snake case, e.g. add_trade_side')
    .option('--dir <dir>', 'folder of your migrations', 'sql')
    .addHelpText('after', examples('dsta-db new add_trade_side --dir migrations'))
    .action(async (name: string, options: { dir: string }) => {
      const { newMigration } = await import('../migrate/index.js')
      const created = await newMigration(name, { dir: resolve(io.cwd, options.dir) })
      say(io, `Created ${created.name}:`)
      say(io, `  ${relative(io.cwd, created.upPath)}`)
      say(io, `  ${relative(io.cwd, created.downPath)}`)
      say(io, `Write the SQL, then apply it with: dsta-db migrate --dir ${options.dir}`)
    })
}
