using Npgsql;
using NpgsqlTypes;

namespace Psd2.SandboxBank.Infrastructure;

/// <summary>Positional parameters ($1, $2, ...) without ceremony, and nullable reads.</summary>
public static class DbExtensions
{
    public static NpgsqlCommand Command(this NpgsqlDataSource dataSource, string sql, params object?[] parameters)
    {
        var command = dataSource.CreateCommand(sql);
        AddParameters(command, parameters);
        return command;
    }

    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        AddParameters(command, parameters);
        return command;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(Parameter(value));
        }

        return command;
    }

    public static string? GetStringOrNull(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset? GetInstantOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static void AddParameters(NpgsqlCommand command, object?[] parameters)
    {
        foreach (var value in parameters)
        {
            command.Parameters.Add(Parameter(value));
        }
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value },
        Json json => new NpgsqlParameter { Value = json.Text, NpgsqlDbType = NpgsqlDbType.Jsonb },
        _ => new NpgsqlParameter { Value = value },
    };
}

/// <summary>Marks a string parameter as jsonb.</summary>
public sealed record Json(string Text);
