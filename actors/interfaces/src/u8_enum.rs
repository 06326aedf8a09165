//! [`u8_enum!`](crate::u8_enum): the one way the suite declares an enum that is a small code.

/// Declares a fieldless `#[repr(u8)]` enum that converts to `u8` (`From`), back (`TryFrom<u8>`,
/// error `"unknown <what> <value>"`), and serializes as that `u8` (a CBOR unsigned integer), like
/// the builtin actors' status codes. `ALL` lists the variants in declaration order.
///
/// ```
/// suite_interfaces::u8_enum! {
///     /// A light.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum Light("light") {
///         Red = 0,
///         Green = 1,
///     }
/// }
/// assert_eq!(u8::from(Light::Green), 1);
/// assert_eq!(Light::try_from(0), Ok(Light::Red));
/// assert_eq!(Light::try_from(2), Err("unknown light 2".to_string()));
/// assert_eq!(fvm_ipld_encoding::to_vec(&Light::Green).unwrap(), [0x01]);
/// ```
#[macro_export]
macro_rules! u8_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident($what:literal) {
            $($(#[$variant_meta:meta])* $variant:ident = $code:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[repr(u8)]
        $vis enum $name {
            $($(#[$variant_meta])* $variant = $code),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl ::core::convert::From<$name> for u8 {
            fn from(value: $name) -> u8 {
                value as u8
            }
        }

        impl ::core::convert::TryFrom<u8> for $name {
            type Error = ::std::string::String;
            fn try_from(code: u8) -> ::core::result::Result<Self, Self::Error> {
                match code {
                    $($code => Ok($name::$variant),)+
                    other => Err(::std::format!(concat!("unknown ", $what, " {}"), other)),
                }
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                serializer.serialize_u8(*self as u8)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                let code = <u8 as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                <$name as ::core::convert::TryFrom<u8>>::try_from(code)
                    .map_err(<D::Error as $crate::__private::serde::de::Error>::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use fvm_ipld_encoding::{from_slice, to_vec};

    crate::u8_enum! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Sample("sample") {
            Zero = 0,
            /// A doc comment on a variant.
            Five = 5,
            Big = 200,
        }
    }

    /// The encoding the macro replaced: `#[serde(into = "u8", try_from = "u8")]`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    #[serde(into = "u8", try_from = "u8")]
    struct ViaU8(u8);
    impl From<ViaU8> for u8 {
        fn from(v: ViaU8) -> u8 {
            v.0
        }
    }
    impl TryFrom<u8> for ViaU8 {
        type Error = String;
        fn try_from(v: u8) -> Result<Self, String> {
            Ok(ViaU8(v))
        }
    }

    #[test]
    fn codes_round_trip_and_encode_as_the_u8() {
        for &s in Sample::ALL {
            let code = u8::from(s);
            assert_eq!(Sample::try_from(code), Ok(s));
            let bytes = to_vec(&s).unwrap();
            assert_eq!(bytes, to_vec(&ViaU8(code)).unwrap(), "{s:?}");
            assert_eq!(from_slice::<Sample>(&bytes).unwrap(), s);
        }
        assert_eq!(to_vec(&Sample::Big).unwrap(), [0x18, 200]);
        assert_eq!(Sample::ALL, &[Sample::Zero, Sample::Five, Sample::Big]);
    }

    #[test]
    fn unknown_codes_are_refused_with_the_name() {
        assert_eq!(Sample::try_from(1), Err("unknown sample 1".to_string()));
        let err = from_slice::<Sample>(&to_vec(&7u8).unwrap()).unwrap_err();
        assert!(err.to_string().contains("unknown sample 7"), "{err}");
        // Not a u8 at all.
        assert!(from_slice::<Sample>(&to_vec(&300u16).unwrap()).is_err());
        assert!(from_slice::<Sample>(&to_vec(&-1i8).unwrap()).is_err());
    }
}
