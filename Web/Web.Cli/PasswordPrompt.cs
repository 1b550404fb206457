namespace Caas.Web.Cli;

/// <summary>Reads a password: one line from standard input for scripts, else typed at the terminal without echo.</summary>
public static class PasswordPrompt
{
    public static string Read(string user, TextReader input, TextWriter error, bool fromStandardInput)
    {
        if (fromStandardInput || Console.IsInputRedirected || !ReferenceEquals(input, Console.In))
            return input.ReadLine() ?? "";
        error.Write($"Password for {user}: ");
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
                break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                    password.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar))
                password.Append(key.KeyChar);
        }
        error.WriteLine();
        return password.ToString();
    }
}
